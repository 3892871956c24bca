"""Exports all-MiniLM-L6-v2 (the BertModel under sentence-transformers) to ONNX fp32 for the bench.
The graph outputs last_hidden_state; mean pooling + L2 norm are done by the bench in numpy, the same
way for every peer. Usage: export_onnx.py MODEL_DIR OUT.onnx"""
import sys

import torch
from transformers import AutoModel


def main():
    model_dir, out = sys.argv[1], sys.argv[2]
    bert = AutoModel.from_pretrained(model_dir)
    bert.eval()

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    model = Wrapper(bert)
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    types = torch.zeros((2, 8), dtype=torch.long)
    dyn = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, types), out,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": dyn, "attention_mask": dyn,
                                        "token_type_ids": dyn, "last_hidden_state": dyn},
                          opset_version=17, dynamo=False)


if __name__ == "__main__":
    main()
