"""Every setting and mode of a run, in one object: `state`.

The engine, the PyTorch functions and the front ends read `state`; nothing
else holds a setting. A front end sets it at the edge (the CLI once per
command) or for a scope: `with state.using(default_float="float32"): ...`
puts every field back on the way out, so the Python API
(`agcli.grad(..., dtype="float32")`) leaves the process as it found it.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import NamedTuple


def _collect(message: str):
    state.warnings.append(message)


class PrintOptions(NamedTuple):
    """torch.set_printoptions' settings; these are PyTorch's defaults (profile="default")."""
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


class State:
    """The settings (dtype, limits, seed) and modes (grad mode, recording) of a run."""

    __slots__ = ("grad_enabled", "default_float", "max_elements", "seed", "rng", "version_bumps", "bumped_at",
                 "deterministic", "data_swaps", "recording", "warn", "warnings", "inference_mode", "inference_made", "detect_anomaly",
                 "anomaly_check_nan", "print_options", "dual", "inference_grad_mode", "unchecked_up_to",
                 "validate_distributions", "watch_nodes", "saved_hooks", "forward_stack")

    def __init__(self):
        self.grad_enabled = True        # torch.no_grad() turns it off
        self.default_float = "float64"  # torch.get_default_dtype(): programs set float32
        self.max_elements = 10**8       # the largest tensor a run may make (--max-elements)
        self.unchecked_up_to = 10**6    # results of operands this small skip that check (below the limit)
        self.seed = None                # --seed / torch.manual_seed; None: fresh entropy
        self.rng = None                 # torch.default_generator, made from `seed` on first draw (generator.py)
        self.version_bumps = 0          # in-place changes so far: none means no saved value changed
        self.bumped_at = 0              # the graph's node count at the last one (nodes made since saw no change)
        self.data_swaps = 0             # x.data = t so far: backward reads saved inputs' data anew (backward.py)
        self.recording = None           # a list while replay records an evaluation
        self.warn = _collect            # where PyTorch's warnings go (the CLI: stderr)
        self.warnings = []              # what _collect collected
        self.inference_mode = False     # torch.inference_mode(): no recording, new tensors are inference tensors
        self.inference_made = False     # some inference tensor exists: a node checks it saves none
        self.inference_grad_mode = False    # grad mode as is_grad_enabled() says it inside inference mode
        self.detect_anomaly = False     # torch.autograd.set_detect_anomaly / detect_anomaly()
        self.anomaly_check_nan = True   # ... and whether backward then checks each gradient for nan
        self.print_options = PrintOptions()     # torch.set_printoptions
        self.deterministic = (False, False)     # torch.use_deterministic_algorithms (mode, warn_only): agcli's
        # kernels are deterministic anyway; the setting is kept for the functions that read it
        self.dual = None                # forward mode's dual level (engine/forward.py): ops carry tangents
        self.validate_distributions = True  # Distribution.set_default_validate_args (torchapi/probability)
        self.saved_hooks = []           # torch.autograd.graph.saved_tensors_hooks entered, innermost last
        self.watch_nodes = False        # a new node is looked at (engine/tensor.py): see watched()
        self.forward_stack = None       # a program's stack as text (language/forward_stacks.py), for anomaly mode

    def watched(self) -> bool:
        """watch_nodes' value: an inference tensor exists (a node checks it saves none), saved-tensor hooks
        are on, or anomaly mode notes each node's forward stack (a program's: forward_stack)."""
        return self.inference_made or bool(self.saved_hooks) or self.detect_anomaly and self.forward_stack is not None

    def key(self) -> tuple:
        """What a cached plan or replay depends on besides its expression and leaves."""
        return self.default_float, self.max_elements

    @contextmanager
    def using(self, **overrides):
        """Set fields for a scope and put them back after it, error or not."""
        unknown = set(overrides) - set(self.__slots__)
        if unknown:
            raise AttributeError(f"state has no setting {', '.join(sorted(unknown))}")
        if "seed" in overrides:
            overrides.setdefault("rng", None)
        saved = {name: getattr(self, name) for name in overrides}
        try:
            for name, value in overrides.items():
                setattr(self, name, value)
            yield self
        finally:
            for name, value in saved.items():
                setattr(self, name, value)


state = State()
