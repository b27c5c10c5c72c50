"""augmentation: with few images, affine and elastic distortions both beat no distortion,
and elastic beats affine (the seed's order: 98.4% -> 98.9% -> 99.3%)."""

import json

from braintank.experiments import run_and_write


def test_distortions_beat_none_and_elastic_beats_affine(tmp_path):
    folder = run_and_write("augmentation", tmp_path / "aug", quick=True)
    final = json.loads((folder / "result.json").read_text())["numbers"]["final_test_acc"]
    assert final["none"] + 0.01 < final["affine"] < final["elastic"]
    assert (folder / "augmentation.png").is_file()
