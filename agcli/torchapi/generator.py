"""torch.Generator: PyTorch's CPU generator, word for word.

PyTorch draws from a Mersenne Twister (at::mt19937, ATen/core/MT19937RNGEngine.h)
seeded with the low 32 bits of the seed by init_genrand; NumPy's MT19937 bit
generator runs the same recurrence and tempering, so its state is set to the key
PyTorch's seeding makes and `random_raw` gives PyTorch's 32-bit words, vectorised.
random64() is two words, the first one high (CPUGeneratorImpl.cpp). The generator
also caches the second value of a scalar Box-Muller draw (normal_distribution).

The default generator is `state.rng`, made on first use from `state.seed`
(--seed, torch.manual_seed) or, without one, from fresh entropy as PyTorch's is.
Draws stay on the host: the functions move them to the device (every backend
draws the same numbers).
"""
from __future__ import annotations

import os
import struct

import numpy

from ..engine.backend import dtype_name, from_host, item, to_host
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..state import state
from .devices import Device

DEFAULT_SEED = 67280421310721       # c10::detail::default_rng_seed_val: a new torch.Generator()'s seed
_N = 624
# CPUGeneratorImplState as get_rng_state() lays it out (x86-64): the legacy pod (initial seed, left,
# seeded, next, the 624 words as uint64, normal_x/y/rho, normal_is_valid), the float normal sample
# and its flag; padding zeroed.
_LAYOUT = struct.Struct("<QiiQ624Q3di4xf?3x")


def nondeterministic_seed() -> int:
    """What getNonDeterministicRandom gives on Linux: 64 bits of /dev/urandom."""
    return int.from_bytes(os.urandom(8), "little")


def _key(seed: int):
    """init_genrand: the state PyTorch's mt19937 starts from (624 steps, once per seed)."""
    key = [seed & 0xFFFFFFFF]
    x = key[0]
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key.append(x)
    return numpy.array(key, dtype=numpy.uint32)


def seed_value(seed) -> int:
    """The uint64 PyTorch's Generator.manual_seed keeps: a negative int64 wraps (-1 is 2**64 - 1)."""
    if type(seed) is bool or not isinstance(seed, int):
        raise AgcliError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not -2**63 <= seed < 2**64:
        raise AgcliError("Overflow when unpacking long long", kind="value")
    return seed % 2**64


class Generator:
    """torch.Generator() (CPU): its own Mersenne Twister state, seed and Box-Muller cache."""

    __slots__ = ("_bits", "_seed", "_fresh", "next_double_normal", "next_float_normal")
    pytorch_module = "torch._C"

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise AgcliError(f"agcli's generators are CPU generators (PyTorch's CPU stream), not {device}")
        self._bits = numpy.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"

    @property
    def device(self):
        return Device("cpu")

    # -- seeding (PyTorch's Generator methods)
    def manual_seed(self, seed):
        seed = seed_value(seed)
        self._seed, self._fresh = seed, True
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": _key(seed), "pos": _N}}
        self.next_double_normal = self.next_float_normal = None
        return self

    def seed(self) -> int:
        seed = nondeterministic_seed()
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._seed

    # -- draws
    def words(self, n: int):
        """n calls of random(): the engine's 32-bit words, as uint64."""
        if n:
            self._fresh = False
        return self._bits.random_raw(n)

    def words64(self, n: int):
        """n calls of random64(): two words each, the first the high half."""
        w = self.words(2 * n)
        return (w[0::2] << numpy.uint64(32)) | w[1::2]

    def get_state(self):
        """The state as PyTorch's uint8 tensor of 5056 bytes."""
        return Tensor(from_host(numpy.frombuffer(self.state_bytes(), dtype=numpy.uint8).copy()))

    def set_state(self, new_state):
        if type(new_state) is not Tensor or dtype_name(new_state.data.dtype) != "uint8":
            raise AgcliError("RNG state must be a torch.ByteTensor", kind="type")
        self.set_state_bytes(to_host(new_state.data).tobytes())
        return self

    # -- the state as bytes
    def state_bytes(self) -> bytes:
        bits = self._bits.state["state"]
        pos = int(bits["pos"])
        left, next_ = (1, 0) if self._fresh else (_N + 1 - pos, pos)
        double, flt = self.next_double_normal, self.next_float_normal
        return _LAYOUT.pack(self._seed, left, 1, next_, *bits["key"].tolist(), 0.0,
                            0.0 if double is None else double, 0.0, double is not None,
                            0.0 if flt is None else flt, flt is not None)

    def set_state_bytes(self, raw: bytes):
        if len(raw) != _LAYOUT.size:
            raise AgcliError(f"Expected a CPUGeneratorImplState of size {_LAYOUT.size} but found the input RNG "
                             f"state size to be {len(raw)}")
        seed, left, seeded, next_, *rest = _LAYOUT.unpack(raw)
        words, (_, double, _, double_valid, flt, flt_valid) = rest[:_N], rest[_N:]
        if not (seeded and 0 < left <= _N and next_ <= _N):
            raise AgcliError("Invalid mt19937 state")
        key = numpy.array(words, dtype=numpy.uint64).astype(numpy.uint32)     # std::copy to uint32 keeps the low bits
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N + 1 - left}}
        self._seed, self._fresh = seed, left == 1 and next_ == 0
        self.next_double_normal = double if double_valid else None
        self.next_float_normal = flt if flt_valid else None


def default_generator() -> Generator:
    """torch.default_generator: made on first use from --seed / torch.manual_seed, else from entropy."""
    g = state.rng
    if g is None:
        g = state.rng = Generator()
        g.manual_seed(nondeterministic_seed() if state.seed is None else state.seed)
    return g


class _DefaultGenerator(Generator):
    """torch.default_generator as a program names it: the default generator (state.rng), which is
    made on first draw, so this one stands for it wherever a generator is taken."""

    __slots__ = ()

    def __init__(self):     # (no state of its own)
        pass


DEFAULT = _DefaultGenerator()


# The randomness= of each vmap running now (torchapi/func_vmap.py): 'error' refuses random draws.
VMAP_RANDOMNESS: list = []


def chosen(generator) -> Generator:
    """A function's generator= argument: a torch.Generator, or None for the default one."""
    if VMAP_RANDOMNESS and VMAP_RANDOMNESS[-1] == "error":
        raise AgcliError("vmap: called random operation while in randomness error mode. Please either use the "
                         "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
                         "of vmap")
    if generator is None or generator is DEFAULT:
        return default_generator()
    if not isinstance(generator, Generator):
        raise AgcliError(f"generator must be a torch.Generator, not {type(generator).__name__}", kind="type")
    return generator


# ------------------------------------------------------------ torch.manual_seed and friends
def manual_seed(seed) -> Generator:
    """torch.manual_seed(seed): int(seed) (1.5 seeds 1), then the default generator's manual_seed."""
    try:
        seed = int(_one_number(seed) if isinstance(seed, Tensor) else seed)       # (a one-element tensor too)
    except (TypeError, ValueError, OverflowError) as e:       # Python's words are PyTorch's here
        raise AgcliError(str(e), kind="type" if isinstance(e, TypeError) else "value") from None
    g = default_generator().manual_seed(seed)
    state.seed = g.initial_seed()
    return g


def _one_number(t):
    if t.data.size != 1:
        raise AgcliError("only one element tensors can be converted to Python scalars", kind="value")
    return item(t.data)


def seed() -> int:
    """torch.seed(): a fresh nondeterministic seed for the default generator, returned."""
    state.seed = default_generator().seed()
    return state.seed


def initial_seed() -> int:
    return default_generator().initial_seed()


def get_rng_state():
    return default_generator().get_state()


def set_rng_state(new_state):
    default_generator().set_state(new_state)


class fork_rng:
    """torch.random.fork_rng(): the default generator's state kept on entering, put back on leaving
    (agcli's generators are CPU ones: there are no devices' to fork)."""

    def __init__(self, devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
        self.enabled, self.kept = enabled, None

    def __enter__(self):
        if self.enabled:
            self.kept = default_generator().state_bytes()

    def __exit__(self, *error):
        if self.kept is not None:
            default_generator().set_state_bytes(self.kept)
        return False


def _method(name):
    """g.NAME(...) in a program: the generator's method (other values have none by that name)."""
    def call(g, *args):
        if not isinstance(g, Generator):
            raise AgcliError(f"'{type(g).__name__}' object has no attribute '{name}'", kind="attribute")
        return getattr(chosen(g), name)(*args)
    call.__name__ = name
    return call


METHODS = {name: _method(name) for name in ("manual_seed", "seed", "initial_seed", "get_state", "set_state")}
