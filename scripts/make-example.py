#!/usr/bin/env python3
"""Generates examples/digits/: a small trained CNN and its data, bundled as the project's runnable example.

Not needed at run time (the product never runs Python); it documents how the committed files were made.
Requires Debian's python3-torch (1.13), python3-numpy, python3-sklearn, python3-onnx:
    /usr/bin/python3 scripts/make-example.py
Deterministic (seed 20261127, one CPU thread).

Model (opset 13, input `input` [1,1,16,16] float32, output `logits` [1,10]): Conv+BatchNormalization pairs left
unfolded (exported in eval mode with do_constant_folding=False and TrainingMode.PRESERVE, so the simplifier
has to fold them), Relu, Clip (ReLU6), a depthwise Conv, a residual Add, Concat, GlobalAveragePool, Flatten,
Gemm.
"""
import json
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = 20261127
EPOCHS = 25
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'examples', 'digits')


def conv_bn(cin, cout, k=1, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(1, 12, 3), nn.ReLU())                       # 12x16x16
        self.down = nn.Sequential(*conv_bn(12, 24), nn.ReLU6(),                         # expand
                                  *conv_bn(24, 24, 3, 2, groups=24), nn.ReLU6(),       # depthwise, stride 2
                                  *conv_bn(24, 16))                                     # 16x8x8
        self.res = nn.Sequential(*conv_bn(16, 32), nn.ReLU6(),
                                 *conv_bn(32, 32, 3, 1, groups=32), nn.ReLU6(),
                                 *conv_bn(32, 16))                                      # + residual
        self.left = nn.Sequential(*conv_bn(16, 12), nn.ReLU())
        self.right = nn.Sequential(*conv_bn(16, 12, 3), nn.ReLU())
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.down(x)
        x = x + self.res(x)
        x = torch.cat([self.left(x), self.right(x)], dim=1)                              # 24x8x8
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


def load_data():
    digits = load_digits()
    images = torch.from_numpy(digits.images.astype(np.float32)).unsqueeze(1)          # [1797,1,8,8], 0..16
    images = F.interpolate(images, size=(16, 16), mode='bilinear', align_corners=False)
    images = (images / 16 - 0.5) / 0.5                                                  # ~[-1, 1]
    labels = torch.from_numpy(digits.target.astype(np.int64))
    order = torch.from_numpy(np.random.RandomState(SEED).permutation(len(labels)))
    train, test = order[:1400], order[1400:]
    return images[train], labels[train], images[test], labels[test]


def train(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        model.train()
        for idx in torch.randperm(len(y), generator=gen).split(32):
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        sched.step()


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    x_train, y_train, x_test, y_test = load_data()
    model = DigitsNet()
    t0 = time.time()
    train(model, x_train, y_train)
    wall = time.time() - t0
    model.eval()
    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'model.onnx')
    torch.onnx.export(model, torch.zeros(1, 1, 16, 16), path, opset_version=13, input_names=['input'],
                      output_names=['logits'], do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    onnx_model = onnx.load(path)
    onnx.checker.check_model(onnx_model)
    ops = sorted({n.op_type for n in onnx_model.graph.node})
    np.save(os.path.join(OUT, 'calib.npy'), x_train[:128].numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'test_images.npy'), x_test.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'test_labels.npy'), y_test.numpy().astype(np.int64))
    print(json.dumps({'float_top1': acc, 'correct': int(round(acc * len(y_test))), 'test': len(y_test),
                      'train_seconds': round(wall, 1), 'onnx_ops': ops, 'torch': torch.__version__}, indent=1))


if __name__ == '__main__':
    main()
