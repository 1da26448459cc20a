"""Building Keras models from architectures, seeds, refusals, and the exported Python source."""

from __future__ import annotations

import random

import keras
import numpy as np
import pytest

from core.architecture import Architecture, ArchitectureError, LayerSpec
from core.keras_model import BuiltModel, build_model, make_layer, to_python
from core.layers import CATALOGUE, MNIST_MEAN, MNIST_STD
from core.presets import NOTEBOOK_CNN, PRESETS, VGG16, WORKSHOP_CNN
from core.shapes import MAX_PARAMS, trace

L = LayerSpec.make
BUILDABLE = {name: arch for name, (arch, _) in PRESETS.items() if len(arch)}


def _random_architectures(
    count: int, seed: int = 7, max_params: int = 300_000
) -> list[Architecture]:
    """A few valid, small random architectures made from the whole catalogue (deterministic)."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        specs = []
        for _ in range(rng.randint(1, 7)):
            entry = rng.choice(list(CATALOGUE.values()))
            params = {}
            for p in entry.params:
                if p.kind == "choice":
                    params[p.name] = rng.choice(p.choices)
                elif p.kind == "int":
                    params[p.name] = rng.choice(
                        [None, rng.randint(1, 3)]
                        if p.optional
                        else [
                            rng.randint(
                                int(p.low),
                                min(
                                    int(p.high),
                                    3 if p.name in ("kernel_size", "pool_size", "strides") else 24,
                                ),
                            )
                        ]
                    )
                else:
                    params[p.name] = round(rng.uniform(0, 0.9), 3)
            specs.append(L(entry.kind, **params))
        arch = Architecture(tuple(specs))
        t = trace(arch)
        if t.ok and t.total_params <= max_params and arch not in found:
            found.append(arch)
    return found


RANDOM = _random_architectures(4)
CASES = list(BUILDABLE.items()) + [(f"random {i}", a) for i, a in enumerate(RANDOM)]


@pytest.mark.parametrize(("name", "arch"), CASES, ids=[name for name, _ in CASES])
def test_built_model_matches_its_trace_layer_by_layer(name: str, arch: Architecture) -> None:
    built = build_model(arch, seed=0)
    t = trace(arch)
    assert isinstance(built, BuiltModel) and built.arch is arch
    model = built.model
    assert len(model.layers) == len(arch.layers)
    for i, (layer, spec, lt) in enumerate(zip(model.layers, arch.layers, t.layers, strict=True)):
        assert type(layer).__name__ == spec.kind
        assert layer.name == f"{spec.kind.lower()}_{i}"
        assert tuple(layer.output.shape) == lt.output_shape
        assert layer.count_params() == lt.params
    assert model.count_params() == t.total_params
    assert tuple(model.output_shape) == t.output_shape
    assert not model.compiled


def test_linear_activation_is_no_activation() -> None:
    model = build_model(
        Architecture((L("Conv2D", activation="linear"), L("Flatten"), L("Dense")))
    ).model
    assert model.layers[0].get_config()["activation"] == "linear"
    assert model.layers[2].get_config()["activation"] == "linear"


def test_normalization_uses_mnist_statistics_and_learns_nothing() -> None:
    model = build_model(Architecture((L("Normalization"),))).model
    out = model(np.full((1, 28, 28, 1), MNIST_MEAN + MNIST_STD, dtype="float32"))
    np.testing.assert_allclose(np.asarray(out), 1.0, rtol=1e-5)
    assert model.count_params() == 0


def _weights(arch: Architecture, seed: int | None) -> list[np.ndarray]:
    return build_model(arch, seed=seed).model.get_weights()


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_same_seed_same_weights_different_seed_different_weights() -> None:
    assert _same(_weights(WORKSHOP_CNN, 1), _weights(WORKSHOP_CNN, 1))
    assert not _same(_weights(WORKSHOP_CNN, 1), _weights(WORKSHOP_CNN, 2))
    assert not _same(_weights(WORKSHOP_CNN, None), _weights(WORKSHOP_CNN, None))


def test_layers_of_the_same_shape_get_different_initial_weights() -> None:
    arch = Architecture((L("Dense", units=8), L("Dense", units=8)), input_shape=(1, 1, 8))
    kernel_a, _, kernel_b, _ = _weights(arch, 3)
    assert not np.array_equal(kernel_a, kernel_b)


def test_seeding_leaves_process_wide_random_state_alone() -> None:
    python_state, numpy_state = random.getstate(), np.random.get_state()
    build_model(WORKSHOP_CNN, seed=5)
    assert random.getstate() == python_state
    after = np.random.get_state()
    assert all(np.array_equal(x, y) for x, y in zip(numpy_state, after, strict=True))


def test_seeded_dropout_is_reproducible() -> None:
    arch = Architecture((L("Dropout", rate=0.5),), input_shape=(4, 4, 8))
    x = np.ones((2, 4, 4, 8), dtype="float32")
    a = np.asarray(build_model(arch, seed=9).model(x, training=True))
    b = np.asarray(build_model(arch, seed=9).model(x, training=True))
    np.testing.assert_array_equal(a, b)


# --- refusals -------------------------------------------------------------------------------------


def test_too_big_is_refused_with_its_size() -> None:
    with pytest.raises(ArchitectureError, match="138,357,544 parameters") as info:
        build_model(VGG16)
    assert f"{MAX_PARAMS:,}" in str(info.value)
    just_over = Architecture(
        (L("Conv2D", filters=8, padding="same"), L("Flatten"), L("Dense", units=4096))
    )
    assert trace(just_over).too_big
    with pytest.raises(ArchitectureError, match=f"{trace(just_over).total_params:,} parameters"):
        build_model(just_over)


def test_huge_outputs_are_refused_even_with_few_parameters() -> None:
    # 16 rows of zeros on every side, six times: few weights, but 220×220×512 numbers per image.
    pads = (L("ZeroPadding2D", padding=16), L("Conv2D", filters=512, kernel_size=1)) * 6
    arch = Architecture(pads)
    t = trace(arch)
    assert t.ok and t.total_params < MAX_PARAMS and t.largest_output == 220 * 220 * 512
    assert t.too_big and "numbers per image" in t.too_big_reason
    with pytest.raises(ArchitectureError, match="24,780,800 numbers per image"):
        build_model(arch)


@pytest.mark.parametrize(
    "arch",
    [
        NOTEBOOK_CNN.insert(12, L("Conv2D")),
        Architecture((L("MaxPooling2D", pool_size=8), L("Conv2D", kernel_size=5))),
        Architecture(VGG16.layers[:18]),
    ],
    ids=["conv after flatten", "kernel too big", "vgg16 on mnist"],
)
def test_broken_architectures_are_refused_with_the_trace_message(arch: Architecture) -> None:
    t = trace(arch)
    with pytest.raises(ArchitectureError) as info:
        build_model(arch)
    assert t.error in str(info.value)
    assert f"layer {t.error_index + 1}" in str(info.value)


def test_empty_architecture_is_refused() -> None:
    with pytest.raises(ArchitectureError, match="no layers"):
        build_model(Architecture())


def test_hand_made_specs_with_unknown_kinds_are_refused() -> None:
    with pytest.raises(ArchitectureError, match="Conv3D"):
        build_model(Architecture((LayerSpec("Conv3D"),)))
    with pytest.raises(ArchitectureError, match="Conv3D"):
        make_layer(LayerSpec("Conv3D"), 0)


# --- Python source --------------------------------------------------------------------------------


def test_python_source_reads_like_keras_io() -> None:
    source = to_python(WORKSHOP_CNN)
    assert source.startswith(
        "import keras\nfrom keras import layers\n\nmodel = keras.Sequential(\n    [\n"
    )
    assert "        keras.Input(shape=(28, 28, 1)),\n" in source
    assert '        layers.Conv2D(16, 3, activation="relu"),\n' in source
    assert "        layers.MaxPooling2D(),\n" in source
    assert '        layers.Dense(10, activation="softmax"),\n' in source
    assert "        layers.Normalization(mean=33.3184, variance=78.5675**2),\n" in source
    assert "# Centre and scale the pixels" in source
    assert source.endswith("model.summary()\n")
    text = to_python(
        Architecture(
            (
                L("Conv2D", activation="linear", strides=2, padding="same"),
                L("MaxPooling2D", pool_size=3, strides=1),
                L("ZeroPadding2D", padding=2),
                L("Activation", activation="tanh"),
                L("Dropout", rate=0.25),
                L("Flatten"),
                L("BatchNormalization"),
                L("Dense", units=7),
            )
        )
    )
    assert 'layers.Conv2D(32, 3, strides=2, padding="same"),' in text
    assert "layers.MaxPooling2D(pool_size=3, strides=1)," in text
    assert "layers.ZeroPadding2D(padding=2)," in text
    assert 'layers.Activation("tanh"),' in text
    assert "layers.Dropout(0.25)," in text
    assert "layers.Flatten()," in text and "layers.BatchNormalization()," in text
    assert "layers.Dense(7)," in text
    assert "layers.AveragePooling2D(pool_size=2)," in to_python(
        Architecture((L("AveragePooling2D"),))
    )


def _layer_configs(model: keras.Model) -> list[tuple[str, dict]]:
    return [
        (c["class_name"], c["config"])
        for c in model.get_config()["layers"]
        if c["class_name"] != "InputLayer"
    ]


def _our_arguments(spec: LayerSpec) -> tuple[str, ...]:
    return ("mean", "variance") if spec.kind == "Normalization" else tuple(spec.params)


@pytest.mark.parametrize(("name", "arch"), CASES, ids=[name for name, _ in CASES])
def test_exported_source_builds_the_same_model(name: str, arch: Architecture) -> None:
    namespace: dict = {}
    exec(compile(to_python(arch), "<to_python>", "exec"), namespace)  # noqa: S102 - our own generated code
    exported, built = namespace["model"], build_model(arch).model
    assert exported.count_params() == built.count_params()
    assert tuple(exported.output_shape) == tuple(built.output_shape)
    for spec, (kind_a, config_a), (kind_b, config_b) in zip(
        arch.layers, _layer_configs(exported), _layer_configs(built), strict=True
    ):
        assert kind_a == kind_b == spec.kind
        for argument in _our_arguments(spec):
            assert config_a[argument] == config_b[argument], (spec, argument)
