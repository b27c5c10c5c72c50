"""Folding batch norm and channels-last memory change speed, not answers."""

import copy

import torch
from torch import nn

from braintank.nets import build_model
from braintank.nets.optimize import fold_batch_norm, for_inference


def _trained_like(arch: dict) -> nn.Module:
    """A network whose BN layers hold non-trivial running statistics and affine weights."""
    torch.manual_seed(0)
    model = build_model(arch)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)
    return model.eval()


def test_folded_digit_cnn_gives_the_same_logits_without_batch_norm():
    model = _trained_like({"type": "digit_cnn", "width": 8, "hidden": 16})
    x = torch.randn(5, 1, 28, 28)
    with torch.inference_mode():
        expected = model(x)
        fast = for_inference(copy.deepcopy(model))
        got = fast(x.contiguous(memory_format=torch.channels_last))
    assert not any(isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d) for m in fast.modules())
    assert torch.allclose(got, expected, atol=1e-5)


def test_models_without_batch_norm_are_left_alone():
    model = build_model({"type": "small_cnn"}).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    after = fold_batch_norm(model).state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_shipped_classifier_runs_the_folded_network_with_the_same_answers():
    from braintank import DigitClassifier

    clf = DigitClassifier.load()
    plain = DigitClassifier.load(optimize=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in clf.model.modules())
    assert any(isinstance(m, nn.BatchNorm2d) for m in plain.model.modules())
    assert clf._memory_format == torch.channels_last
    assert plain._memory_format == torch.contiguous_format
    x28 = torch.rand(8, 28, 28, generator=torch.Generator().manual_seed(0)).numpy()
    assert abs(clf.logits_batch28(x28) - plain.logits_batch28(x28)).max() < 1e-4
