"""Build the narrative encoder: all-MiniLM-L6-v2 with mean pooling, exported to ONNX, int8.

Run once at build time (`python -m nlp.training.narrative_encoder`); the result ships in
nlp/narratives/encoder/. The graph maps (input_ids, attention_mask) to L2-normalized sentence
embeddings. Statically quantized (fixed activation scales, calibrated on the taxonomy's seed
phrases and real news sentences), so an embedding does not depend on its batch.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

from nlp.training.export import TOKENIZER_FILES, export_encoder_onnx, quantize_int8
from nlp.training.recipe import base_model_dir

ENCODER_DIR = Path(__file__).resolve().parent / "encoder"
ENCODER_VERSION = "minilm-l6-v2-int8-1"


def export_fp32(onnx_path: Path) -> Path:
    """Trace MiniLM + masked mean pooling + L2 normalization to an fp32 ONNX graph."""
    import torch
    from transformers import AutoModel

    base = AutoModel.from_pretrained(str(base_model_dir()))
    base.eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = base

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return export_encoder_onnx(Pooled().eval(), onnx_path, output="embeddings")


def calibration_texts(extra: Path | None) -> list[str]:
    """Seed phrases and descriptions of the taxonomy, plus sentences of `extra` (one per line)."""
    from nlp.narratives.taxonomy import load_builtin

    texts: list[str] = []
    for n in load_builtin():
        texts.extend([n.description, *n.seeds])
    if extra is not None:
        texts.extend(line.strip() for line in extra.read_text(encoding="utf-8").splitlines())
    return [t for t in texts if t]


def build(out: Path, *, extra: Path | None = None) -> Path:
    """Write model.onnx (int8), the tokenizer and version.txt into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    work = out / "_fp32"
    work.mkdir(exist_ok=True)
    for name in TOKENIZER_FILES:
        shutil.copy2(base_model_dir() / name, work / name)
        shutil.copy2(base_model_dir() / name, out / name)
    fp32 = export_fp32(work / "model.onnx")
    quantize_int8(fp32, out / "model.onnx", calibration=calibration_texts(extra))
    (out / "version.txt").write_text(ENCODER_VERSION + "\n", encoding="utf-8")
    (out / "meta.json").write_text(
        json.dumps({"max_length": 128, "source": "sentence-transformers/all-MiniLM-L6-v2"}) + "\n",
        encoding="utf-8",
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m nlp.training.narrative_encoder [--out DIR] [--calibration FILE]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ENCODER_DIR)
    parser.add_argument("--calibration", type=Path, default=None)
    parser.add_argument("--keep-fp32", action="store_true")
    args = parser.parse_args(argv)
    out = build(args.out, extra=args.calibration)
    if not args.keep_fp32:
        shutil.rmtree(out / "_fp32")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
