"""Keras models and callbacks as plain data, so they can cross the boundary of a :mod:`.sandbox`.

A model crosses as its architecture (Keras's JSON config) and, when it is compiled, its compile config (optimizer,
loss, metrics); never as weights or code. The receiving side rebuilds it with Keras's safe deserialisation after
checking that every class in the config is one of Keras's own: a ``Lambda`` layer, a custom class or a function of
the student's is refused. The rebuilt model has fresh weights, drawn from the receiving side's random state, so
a grader that seeds Keras and then calls the student's ``build_cnn`` gets the same start as in the student's
notebook. A callback crosses as its class name (one of :data:`CALLBACKS`) and its constructor arguments.
"""

from __future__ import annotations

import inspect
import json
import sys

#: Keras callbacks that cross (exactly these classes, not subclasses).
CALLBACKS = ("EarlyStopping", "ReduceLROnPlateau")
#: Class names refused in a model's config even though Keras ships them: they carry code.
CODE_CLASSES = ("Lambda", "__lambda__", "__typespec__", "TorchModuleWrapper", "JaxLayer", "FlaxLayer")
#: Plain values Keras tags in a config (tensors, arrays, bytes, slices); they name no class or module.
VALUE_TAGS = ("__keras_tensor__", "__tensor__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__")


class KerasValueError(TypeError):
    """A Keras object that cannot cross as plain data (a custom class, a Lambda layer, an unknown callback)."""


def is_keras_object(value) -> bool:
    """Whether ``value`` is an instance of a Keras class (Keras already imported; never imports it)."""
    return "keras" in sys.modules and type(value).__module__.split(".")[0] == "keras"


def to_plain(value) -> dict:
    """Plain data for a keras.Model or one of :data:`CALLBACKS`; raises :class:`KerasValueError` otherwise."""
    import keras

    kind = type(value)
    if isinstance(value, keras.Model):
        compiled = bool(getattr(value, "compiled", False))
        return {
            "kind": "model",
            "config": json.dumps(keras.saving.serialize_keras_object(value)),
            "compile": json.dumps(value.get_compile_config()) if compiled else None,
        }
    if isinstance(value, keras.callbacks.Callback):
        if kind.__name__ not in CALLBACKS or getattr(keras.callbacks, kind.__name__) is not kind:
            raise KerasValueError(f"a {kind.__qualname__} callback (the grader accepts {', '.join(CALLBACKS)})")
        parameters = inspect.signature(kind.__init__).parameters.values()
        arguments = {
            p.name: getattr(value, p.name)
            for p in parameters
            if p.name != "self" and p.kind is p.POSITIONAL_OR_KEYWORD and hasattr(value, p.name)
        }
        return {"kind": "callback", "class": kind.__name__, "arguments": arguments}
    raise KerasValueError(f"a Keras {kind.__qualname__} (only models and {', '.join(CALLBACKS)} cross)")


def from_plain(plain: dict):
    """The Keras object :func:`to_plain` described, rebuilt here (a model with fresh weights)."""
    import keras

    if plain.get("kind") == "callback":
        name = plain.get("class")
        if name not in CALLBACKS:
            raise KerasValueError(f"a {name!r} callback (the grader accepts {', '.join(CALLBACKS)})")
        return getattr(keras.callbacks, name)(**plain["arguments"])
    if plain.get("kind") != "model":
        raise KerasValueError(f"an unknown Keras value {str(plain.get('kind'))[:40]!r}")
    config = json.loads(plain["config"])
    check_config(config)
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
        if plain.get("compile") is not None:
            compile_config = json.loads(plain["compile"])
            check_config(compile_config)
            model.compile_from_config(compile_config)
    except KerasValueError:
        raise
    except Exception as error:  # Keras reports unknown or inconsistent configs in many ways
        raise KerasValueError(
            f"a model Keras could not rebuild ({type(error).__name__}: {str(error).splitlines()[0][:200]})"
        ) from None
    if not isinstance(model, keras.Model):
        raise KerasValueError(f"a config that describes a {type(model).__name__}, not a model")
    return model


def check_config(config) -> None:
    """Raise :class:`KerasValueError` unless every object a Keras config names is one of Keras's own classes or
    functions (module ``keras`` or ``keras.*``) and none of them carries code (:data:`CODE_CLASSES`)."""
    if isinstance(config, dict):
        module, name = config.get("module"), config.get("class_name")
        named = ("class_name" in config and name not in VALUE_TAGS) or module is not None
        if named and not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise KerasValueError(
                f"a model that uses {name!r} from {str(module)[:60]!r}; the grader rebuilds only "
                f"Keras's own layers, losses, metrics and optimizers"
            )
        if name in CODE_CLASSES:
            raise KerasValueError(f"a model with a {name} layer, which runs code of its own; use Keras's layers")
        if "registered_name" in config and ">" in str(config["registered_name"]):
            raise KerasValueError(f"a model that uses the custom object {config['registered_name']!r}")
        for item in config.values():
            check_config(item)
    elif isinstance(config, list):
        for item in config:
            check_config(item)
