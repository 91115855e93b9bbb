"""Whether a network's input is large enough: every convolution and pooling
shrinks it, and a clip too small for a :class:`~ascflow.models.specs.NetworkSpec`
is refused before TensorFlow builds anything, in one sentence naming the
smallest input the network takes and the layers that shrink it.
"""

from __future__ import annotations

from collections import Counter

from ascflow.errors import AscflowError
from ascflow.models.specs import INPUT_AXES, NetworkSpec, layer_output_shapes, option


def _fits(spec: NetworkSpec, input_shape: tuple[int, ...]) -> bool:
    return min(input_shape) >= 1 and all(min(shape) >= 1 for shape in layer_output_shapes(spec, input_shape))


def minimum_input_shape(spec: NetworkSpec) -> tuple[int, ...]:
    """The smallest size of each input axis that ``spec`` can take.

    Each axis is searched on its own, with every other axis so large that it
    cannot be the one that fails; a layer's output never shrinks when its
    input grows, so a doubling search followed by bisection finds the bound.
    """
    plenty = 1 << 30
    minimum = []
    for axis in range(len(spec.input_shape)):

        def fits(size: int, axis: int = axis) -> bool:
            shape = [plenty] * len(spec.input_shape)
            shape[axis] = size
            return _fits(spec, tuple(shape))

        high = 1
        while not fits(high):
            if high >= plenty:
                raise ValueError(f"{spec.name}: no input size on axis {axis} fits")
            high *= 2
        low = high // 2  # does not fit, or is 0
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if fits(middle) else (middle, high)
        minimum.append(high)
    return tuple(minimum)


def check_input_fits(spec: NetworkSpec) -> None:
    """Raise :class:`AscflowError` when an input dimension would shrink below 1.

    The message is one sentence naming the network, the input and the
    smallest input it can take.
    """
    if _fits(spec, spec.input_shape):
        return
    axes = INPUT_AXES.get(spec.name, ())
    if len(axes) != len(spec.input_shape):
        axes = (None,) * len(spec.input_shape)
    shown = [index for index, axis in enumerate(axes) if axis] or list(range(len(axes)))
    minimum = minimum_input_shape(spec)
    given = " x ".join(str(spec.input_shape[index]) for index in shown)
    needed = " x ".join(str(minimum[index]) for index in shown)
    named = " x ".join(axes[index] for index in shown if axes[index])
    what = f"clips of {given} ({named})" if named else f"inputs of {given}"
    raise AscflowError(
        f"{spec.name}: {what} are too small for this network ({_shrinking_layers(spec)}); "
        f"it needs at least {needed}."
    )


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _shrinking_layers(spec: NetworkSpec) -> str:
    """E.g. "two 5x5 convolutions and two 2x2 poolings": what eats the input."""
    kinds: Counter = Counter()
    for layer in spec.layers:
        if layer["type"] in ("conv2d", "depthwise_conv2d") and (
            layer["kernel_size"] > 1 or option(layer, "strides") > 1
        ):
            strided = f" stride-{option(layer, 'strides')}" if option(layer, "strides") > 1 else ""
            kinds[f"{layer['kernel_size']}x{layer['kernel_size']}{strided} convolution"] += 1
        elif layer["type"] == "maxpool2d":
            kinds[f"{layer['pool_size']}x{layer['pool_size']} pooling"] += 1
    if not kinds:
        return "its layers"
    phrases = [
        f"{_NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else count} {kind}{'s' if count > 1 else ''}"
        for kind, count in kinds.items()
    ]
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"
