

def test_every_dataset_is_in_the_registry_and_the_data_command_reads_each():
    """One list of datasets: the IDX ones (`DATASETS`), the other writers' text ones
    (`TEXT_DATASETS`), each described once (`ABOUT`) for the help and the errors."""
    import importlib
    import inspect

    from braintank.cli import data_cmd
    from braintank.data.registry import ABOUT, DATASETS, TEXT_DATASETS

    assert set(ABOUT) == set(DATASETS) | set(TEXT_DATASETS)
    assert not set(DATASETS) & set(TEXT_DATASETS)
    for name, module in TEXT_DATASETS.items():
        assert importlib.import_module(module).NAME == name
        assert f'"{name}": run_{name}' in inspect.getsource(data_cmd.run)
