#!/usr/bin/env bash
# Training speed of PosLab and PyTorch side by side. Builds poslab-bench optimised for this CPU
# (Scripts/native-build.sh), then runs the standard, the larger and the text config (GPT-2's
# vocabulary of 50,257 ids, context 64, batch 16, causal: the language model of Experiments/text.yaml
# with the gpt2 tokenizer, where the head and its cross-entropy dominate).
#   needs: pip install torch==2.13.0+cpu   (without it, only PosLab is measured)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
bench="$(Scripts/native-build.sh poslab-bench)"
echo "== standard config =="
"$bench" "$@"
echo; echo "== larger config =="
"$bench" --d-model 128 --layers 4 --length 64 --steps 20 --warmup 3 "$@"
echo; echo "== text config =="
"$bench" --vocab 50257 --length 64 --batch 16 --attention causal --steps 10 --warmup 2 "$@"
