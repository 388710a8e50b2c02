"""Prints the FIRE bias of Li et al.'s reference code (the paper's appendix, PyTorch) for fixed
weights, as Swift literals for Tests/PosLabModelTests/BiasEncodingTests.swift (PyTorch 2.13.0+cpu).

    python3 Scripts/make_fire_reference.py
"""
import torch
from torch import nn


class FIRE(nn.Module):  # the paper's code, unchanged but for the positions argument
    def __init__(self, num_heads=12, mlp_width=32, init_c=0.1, init_L=512.0, eps=1e-6):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(1, mlp_width), nn.ReLU(), nn.Linear(mlp_width, num_heads))
        self.c = nn.Parameter(torch.tensor(init_c))
        self.init_L = nn.Parameter(torch.tensor(init_L), requires_grad=False)
        self.L_multiplier = nn.Parameter(torch.tensor(1.0))
        self.eps = eps

    def forward(self, positions):
        rel_distance = positions[:, None] - positions[None, :]
        threshold = torch.abs(self.L_multiplier * self.init_L)
        pos_normalizer = torch.max(positions, threshold)
        pos_normalizer = pos_normalizer[:, None]
        rel_distance = torch.log(torch.abs(self.c * rel_distance) + 1)
        pos_normalizer = torch.log(torch.abs(self.c * pos_normalizer) + 1) + self.eps
        normalized_distance = rel_distance / pos_normalizer
        fire_bias = self.mlp(normalized_distance.unsqueeze(-1))
        return fire_bias.permute(2, 0, 1)  # (H, T, T)


torch.manual_seed(0)
fire = FIRE(num_heads=2, mlp_width=4, init_c=0.3, init_L=3.0)
with torch.no_grad():
    fire.L_multiplier.fill_(1.5)  # threshold 4.5: positions 6 and 9 pass it
positions = torch.tensor([0.0, 1.0, 3.0, 6.0, 9.0])

def show(name, t):
    print(f"    static let {name}: [Float] = [{', '.join(repr(float(v)) for v in t.detach().flatten().tolist())}]")

print(f"    // torch {torch.__version__}: FIRE(num_heads=2, mlp_width=4, init_c=0.3, init_L=3.0), L_multiplier 1.5,")
print("    // positions [0, 1, 3, 6, 9]. nn.Linear stores (out, in): w1 and w2 below are transposed to PosLab's (in, out).")
show("w1", fire.mlp[0].weight.t())
show("b1", fire.mlp[0].bias)
show("w2", fire.mlp[2].weight.t())
show("b2", fire.mlp[2].bias)
show("bias", fire(positions))
