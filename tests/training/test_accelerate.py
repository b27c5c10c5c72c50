"""The accelerated training step (issue 14, item 3): precision, memory format, compilation,
deferred host reads and device generators, with CPU runs exactly what they were before."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
from torch.overrides import TorchFunctionMode

from braintank import modelfile
from braintank.data.augment import augment_batch
from braintank.errors import BraintankError
from braintank.training import checkpoint
from braintank.training.accelerate import CUDA_SYNC_EVERY, Accelerator, check_compiler
from braintank.training.config import TrainConfig
from braintank.training.finalize import finalize
from braintank.training.loop import resume_run, start_run
from braintank.training.optim import make_optimizer

CPU = torch.device("cpu")
ALL_FAMILIES = "affine+aspect+elastic+styles+thickness+resolution+blur+breaks+faint+blobs"


def conv_config(**overrides) -> TrainConfig:
    """A small batch-normalised conv net with dropout, writer augmentation and a per-step
    schedule: every source of randomness and every layout choice the default recipe has."""
    settings = dict(model="t", arch={"type": "digit_cnn", "width": 8, "hidden": 32,
                                     "dropout": 0.3},
                    batch_size=128, epochs=2, schedule="onecycle", augment="writers",
                    augment_prob=0.5, label_smoothing=0.1, val_size=256, train_size=600, seed=3)
    return TrainConfig(**{**settings, **overrides})


def mlp_config(**overrides) -> TrainConfig:
    settings = dict(model="t", arch={"type": "mlp", "hidden": [32], "dropout": 0.2},
                    lr=3e-3, batch_size=100, epochs=2, schedule="onecycle", augment="affine",
                    val_size=500, train_size=1050, seed=5)
    return TrainConfig(**{**settings, **overrides})


# The CPU loop before acceleration, run once on `conv_config()`: each weight's (sum, sum of
# squares). Stored rather than recomputed, so the reference shares no code with the loop it
# checks. Training amplifies a last-bit difference in a sum (1 thread against 2 moves these
# by up to 70%), so they hold for the kernels they were measured with: torch 2.13.0 on one
# thread, CPU capability AVX2; elsewhere the check is skipped rather than loosened.
MEASURED_ON = ("2.13.0", "AVX2")
LOOP_BEFORE_ACCELERATION = {
    "features.0.0.weight": (-2.9798290790058672, 2.9473185632546897),
    "features.0.1.weight": (7.995424389839172, 7.990892459606229),
    "features.0.1.bias": (-0.007980357448104769, 4.496608579577064e-05),
    "features.0.1.running_mean": (-0.08468530303798616, 0.0031741557045559237),
    "features.0.1.running_var": (5.119225651025772, 3.744367779025567),
    "features.0.1.num_batches_tracked": (10.0, 100.0),
    "features.1.0.weight": (-1.015709394683654, 2.6921862684784723),
    "features.1.1.weight": (7.9986414313316345, 7.9973073405645145),
    "features.1.1.bias": (-0.0003987586824223399, 3.325556242369749e-05),
    "features.1.1.running_mean": (-0.17244600877165794, 0.1160202676167308),
    "features.1.1.running_var": (3.3068878948688507, 1.3737819381040923),
    "features.1.1.num_batches_tracked": (10.0, 100.0),
    "features.3.0.weight": (3.066281384053582, 5.151886654319708),
    "features.3.1.weight": (15.994320511817932, 15.988723497784136),
    "features.3.1.bias": (0.00760168929309657, 0.00011237046026688001),
    "features.3.1.running_mean": (1.0126460972242057, 0.25331601787358315),
    "features.3.1.running_var": (7.500280797481537, 3.5614401817806947),
    "features.3.1.num_batches_tracked": (10.0, 100.0),
    "features.4.0.weight": (-3.516304967521137, 5.440486523854981),
    "features.4.1.weight": (16.002966225147247, 16.005997509237258),
    "features.4.1.bias": (0.01071565767051652, 9.263486115355409e-05),
    "features.4.1.running_mean": (-0.7227969840168953, 0.243263240853051),
    "features.4.1.running_var": (7.085261046886444, 3.159913927855678),
    "features.4.1.num_batches_tracked": (10.0, 100.0),
    "head.1.weight": (-0.16067256749499848, 10.77704054877275),
    "head.2.weight": (31.954084038734436, 31.908362635946695),
    "head.2.bias": (-0.03730651807290997, 0.000205844797574581),
    "head.2.running_mean": (-1.3040656112134457, 2.0717245339023496),
    "head.2.running_var": (14.287496387958527, 6.3863621417082825),
    "head.2.num_batches_tracked": (10.0, 100.0),
    "head.5.weight": (-1.252446297527058, 3.5363656377668025),
    "head.5.bias": (-0.41454758681356907, 0.10419854357480302),
}


def weight_summary(state: dict) -> dict:
    return {k: (v.double().sum().item(), v.double().square().sum().item())
            for k, v in state.items()}


def weights_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_cpu_fp32_run_matches_the_loop_before(tmp_path, mnist_dir):
    here = (torch.__version__.split("+")[0], torch.backends.cpu.get_cpu_capability())
    if here != MEASURED_ON:
        pytest.skip(f"reference measured with torch {MEASURED_ON[0]} on {MEASURED_ON[1]}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # whatever tests ran before in this worker set
    try:
        _fp32_run_matches_the_loop_before(tmp_path)
    finally:
        torch.set_num_threads(threads)


def _fp32_run_matches_the_loop_before(tmp_path):
    trainer = start_run(conv_config(), tmp_path, CPU, progress=False)
    assert trainer.accel.precision == "fp32"  # "auto" on the CPU
    assert Accelerator.for_run(conv_config(precision="fp32"), CPU) == trainer.accel
    trainer.fit()
    summary = weight_summary(trainer.model.state_dict())
    assert summary.keys() == LOOP_BEFORE_ACCELERATION.keys()
    for name, (total, squares) in LOOP_BEFORE_ACCELERATION.items():
        assert summary[name] == (pytest.approx(total, rel=1e-6, abs=1e-9),
                                 pytest.approx(squares, rel=1e-6, abs=1e-9)), name


def test_bf16_autocast_trains_on_cpu_and_is_recorded(tmp_path, mnist_dir):
    # an MLP: bf16 convolutions on a CPU without bf16 instructions take minutes
    cfg = mlp_config(precision="bf16", train_size=2000, augment="none")
    trainer = start_run(cfg, tmp_path, CPU, progress=False)
    seen = []
    first = next(m for m in trainer.model.modules() if isinstance(m, torch.nn.Linear))
    first.register_forward_hook(lambda m, i, out: seen.append(out.dtype))
    trainer.fit()
    assert torch.bfloat16 in seen  # the training forward ran under autocast...
    assert all(p.dtype == torch.float32 for p in trainer.model.parameters())  # ...weights fp32
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["val_acc"] > 0.8 and rows[-1]["train_loss"] < rows[0]["train_loss"]
    summary = finalize(trainer)
    assert summary["precision"] == "bf16" and summary["compile"] == "none"
    assert json.loads((tmp_path / "config.json").read_text())["precision"] == "bf16"


def test_memory_format_follows_the_network_and_device(tmp_path, mnist_dir):
    trainer = start_run(conv_config(epochs=1), tmp_path / "conv", CPU, progress=False)
    conv = trainer.model.features[0][0].weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    x, y = trainer.data.x_train[:8], trainer.data.y_train[:8]
    assert trainer._prepare(x, y)[0].is_contiguous(memory_format=torch.channels_last)
    assert trainer.eval_input(x).is_contiguous(memory_format=torch.channels_last)
    mlp = start_run(mlp_config(epochs=1), tmp_path / "mlp", CPU, progress=False)
    assert not mlp.accel.channels_last and mlp.eval_input(x) is x


def test_cuda_choices_without_a_gpu():
    """The CUDA policy is plain logic: bf16, channels-last, fused Adam, deferred reads."""
    cuda = Accelerator.for_run(conv_config(), torch.device("cuda"))
    assert (cuda.precision, cuda.channels_last, cuda.fused_optimizer, cuda.sync_every) == \
        ("bf16", True, True, CUDA_SYNC_EVERY)
    assert Accelerator.for_run(conv_config(precision="fp32"), torch.device("cuda")).precision \
        == "fp32"
    assert not Accelerator.for_run(mlp_config(), torch.device("cuda")).channels_last
    mps = Accelerator.for_run(conv_config(), torch.device("mps"))
    assert (mps.precision, mps.channels_last, mps.sync_every) == ("fp32", False, 1)
    assert dataclasses.replace(cuda, compile="graphs").static_shapes
    assert not dataclasses.replace(cuda, compile="model").static_shapes


def test_reading_the_loss_back_every_k_steps_changes_nothing(tmp_path, mnist_dir):
    """What CUDA runs do (read every CUDA_SYNC_EVERY steps), exercised on the CPU."""
    every_step = start_run(mlp_config(), tmp_path / "a", CPU, progress=False)
    every_step.fit()
    deferred = start_run(mlp_config(), tmp_path / "b", CPU, progress=False)
    deferred.accel = dataclasses.replace(deferred.accel, sync_every=4)
    deferred.fit()
    assert weights_equal(every_step.model.state_dict(), deferred.model.state_dict())
    assert (tmp_path / "a" / "metrics.jsonl").read_text().count('"train_loss"') == 2
    rows = [[{k: v for k, v in json.loads(line).items() if "seconds" not in k}
             for line in (tmp_path / run / "metrics.jsonl").read_text().splitlines()]
            for run in "ab"]
    assert rows[0] == rows[1]


def test_divergence_found_at_a_deferred_read_keeps_the_checkpoint(tmp_path, mnist_dir):
    trainer = start_run(mlp_config(schedule="none", augment="none"), tmp_path, CPU,
                        progress=False)
    trainer.fit(stop_after=1)
    trainer.accel = dataclasses.replace(trainer.accel, sync_every=4)
    with torch.no_grad():
        trainer.model.layers[1].weight.fill_(float("nan"))
    with pytest.raises(BraintankError, match=r"epoch 2, by step 4: loss is nan; the last good "
                                             r"checkpoint \(after epoch 1\)"):
        trainer.fit()
    assert modelfile.load(tmp_path / "last.pt").payload["state"]["epoch"] == 1


class DrawsOnGeneratorDevice(TorchFunctionMode):
    """Records every random draw that is not made on its generator's device, and every copy
    to the host: on CUDA the first fails and the second makes the host wait for the GPU."""

    def __init__(self):
        super().__init__()
        self.draws, self.wrong = 0, []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.cpu:
            self.wrong.append("Tensor.cpu")
        generator = kwargs.get("generator")
        if generator is not None:
            self.draws += 1
            tensors = [a for a in args if isinstance(a, torch.Tensor)]
            where = tensors[0].device if tensors else kwargs.get("device")
            if where is None or torch.device(where) != generator.device:
                self.wrong.append(getattr(func, "__name__", str(func)))
        return func(*args, **kwargs)


def test_augmentation_draws_on_the_generators_device():
    x = torch.rand(64, 1, 28, 28)
    y = torch.arange(64) % 10
    generator = Accelerator.for_run(conv_config(), CPU).augment_generator(0)
    with DrawsOnGeneratorDevice() as mode:
        out = augment_batch(x, ALL_FAMILIES, generator, 0.0, 1.0, labels=y, ink=1.0)
    assert mode.draws > 20 and mode.wrong == []
    again = augment_batch(x, ALL_FAMILIES, torch.Generator().manual_seed(0), 0.0, 1.0,
                          labels=y, ink=1.0)
    assert torch.equal(out, again)  # the device generator on the CPU is the old CPU one


def test_resume_keeps_the_generator_kind_it_saved():
    cpu = torch.Generator()
    assert checkpoint.augment_generator_for({}, cpu) is cpu  # saved before kinds were recorded
    assert checkpoint.augment_generator_for({"augment_device": "cpu"}, cpu) is cpu
    with pytest.raises(ValueError):
        checkpoint.augment_generator_for({"augment_device": "tpu"}, cpu)
    if not torch.cuda.is_available():
        with pytest.raises(BraintankError, match="resume it with --device cuda"):
            checkpoint.augment_generator_for({"augment_device": "cuda"}, cpu)


def test_run_saved_before_precision_existed_resumes_in_fp32(tmp_path, mnist_dir):
    trainer = start_run(mlp_config(epochs=2), tmp_path, CPU, progress=False)
    trainer.fit(stop_after=1)
    saved = modelfile.load(tmp_path / "last.pt").payload
    old_config = {k: v for k, v in saved["config"].items() if k not in ("precision", "compile")}
    old_rng = {k: v for k, v in saved["rng"].items() if k != "augment_device"}
    modelfile.save(tmp_path / "last.pt", {**{k: v for k, v in saved.items()
                                             if k not in ("format", "version")},
                                          "config": old_config, "rng": old_rng})
    resumed = resume_run(tmp_path, CPU, progress=False)
    assert (resumed.cfg.precision, resumed.cfg.compile) == ("fp32", "none")
    resumed.fit()
    assert resumed.state.epoch == 2


def test_fused_adam_takes_the_same_step():
    torch.manual_seed(0)
    weights = [torch.nn.Parameter(torch.randn(5, 3)) for _ in range(2)]
    copies = [torch.nn.Parameter(w.detach().clone()) for w in weights]
    cfg = mlp_config()
    for params, fused in ((weights, False), (copies, True)):
        optimizer = make_optimizer(params, cfg, fused=fused)
        for step in range(3):
            for p in params:
                p.grad = torch.full_like(p, 0.1 * (step + 1))
            optimizer.step()
    assert make_optimizer(copies, cfg, fused=True).defaults["fused"]
    for a, b in zip(weights, copies, strict=True):
        torch.testing.assert_close(a, b)


def _has_compiler() -> bool:
    try:
        check_compiler(CPU)
    except BraintankError:
        return False
    return True


@pytest.mark.skipif(not _has_compiler(), reason="torch.compile's inductor needs a C++ "
                    "compiler on the CPU; none found")
def test_compiled_step_trains_like_the_eager_one(tmp_path, mnist_dir):
    """compile "graphs" (on CUDA: CUDA graphs; on the CPU: the same compiled code without
    them) drops each epoch's partial last batch and otherwise trains as the eager step."""
    eager = start_run(mlp_config(), tmp_path / "eager", CPU, progress=False)
    eager.fit()
    compiled = start_run(mlp_config(compile="graphs"), tmp_path / "graphs", CPU,
                         progress=False)
    assert compiled.train_forward is not compiled.model
    assert len(compiled.loader) == 1050 // 100  # one shape: the last 50 images wait
    compiled.fit()
    assert compiled.model.state_dict().keys() == eager.model.state_dict().keys()
    assert abs(compiled.state.best_acc - eager.state.best_acc) < 0.05


def test_compile_without_a_compiler_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CXX", raising=False)
    with pytest.raises(BraintankError, match="--compile on the CPU needs a C.. compiler"):
        Accelerator.for_run(mlp_config(compile="model"), CPU)
    with pytest.raises(BraintankError, match="not mps"):
        Accelerator.for_run(mlp_config(compile="model"), torch.device("mps"))
