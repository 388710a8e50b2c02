"""Prints PyTorch's float32 values for the engine's math ops on fixed inputs, as Swift array
literals; Tests/PosLabEngineTests/MathOpsTests.swift holds this script's output (PyTorch 2.13.0+cpu).

    python3 Scripts/make_ops_reference.py
"""
import torch

x = torch.tensor([-2.5, -1.2, -0.3, 0.4, 1.1, 3.0], dtype=torch.float32)
p = torch.tensor([0.3, 0.7, 1.5, 2.2, 4.0, 9.5], dtype=torch.float32)
big = torch.tensor([-100.0, -30.0, 30.0, 100.0], dtype=torch.float32)
a = x.reshape(2, 3)
b = p[:3]
m = torch.tensor([[0.5, -1.0, 2.0, 0.25], [3.0, 1.5, -0.5, -2.0], [1.0, 0.0, 4.0, -3.0]], dtype=torch.float32)
idx = torch.tensor([[3, 0], [1, 1], [0, 2]])

def show(name, t):
    values = ", ".join(repr(float(v)) for v in t.flatten().tolist())
    print(f"        \"{name}\": [{values}],")

print(f"    // torch {torch.__version__}")
show("exp", torch.exp(x))
show("log", torch.log(p))
show("softplus", torch.nn.functional.softplus(x))
show("softplus_big", torch.nn.functional.softplus(big))
show("sigmoid", torch.sigmoid(x))
show("sigmoid_big", torch.sigmoid(big))
show("relu", torch.relu(x))
show("abs", torch.abs(x))
show("sqrt", torch.sqrt(p))
show("pow_1.5", torch.pow(p, 1.5))
show("pow_-0.5", torch.pow(p, -0.5))
show("clamp", torch.clamp(x, -1.0, 1.0))
show("add_scalar", x + 0.75)
show("rsub_scalar", 0.75 - x)
show("div", x / p)
show("div_broadcast", a / b)
show("rdiv_scalar", 2.0 / p)
show("where", torch.where(x > 0, x, p))
show("gather_1", torch.gather(m, 1, idx))
show("gather_0", torch.gather(m, 0, torch.tensor([[2, 0, 1, 2], [0, 1, 2, 0]])))
show("cumsum_1", torch.cumsum(m, 1))
show("cumsum_0", torch.cumsum(m, 0))
