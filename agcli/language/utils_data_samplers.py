"""torch.utils.data's samplers (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
WeightedRandomSampler, BatchSampler), as torch/utils/data/sampler.py writes them: the same
draws from the same generators, so a DataLoader given one (utils_data.py) yields PyTorch's
batches and leaves the generators as PyTorch's does.
"""
from __future__ import annotations

import itertools

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..torchapi import creation, generator as G, multinomial as M, sampling
from .nn.native import native_class, program
from .program_exceptions import raise_python
from .program_items import getitem
from .program_iteration import iterate
from .program_objects import ProgramObject


def length(dataset):
    """len(dataset): a program's __len__ (ProgramObject's len), a list's, a tensor's rows."""
    return rows(dataset) if type(dataset) is Tensor else len(dataset)


def rows(t):
    if t.data.ndim == 0:
        raise_python(IndexError("dimension specified as 0 but tensor has no dimensions"))
    return t.data.shape[0]


def random_order(n, num_samples, replacement, generator):
    """RandomSampler.__iter__: on a Generator seeded from the default one unless one is given,
    randint in chunks of 32 (with replacement) or randperm(n) rounds, the last cut short."""
    if generator is None:
        seed = creation.zeros((), dtype="int64")
        sampling.random_(seed)
        generator = G.Generator().manual_seed(int(seed.data))
    if replacement:
        for _ in range(num_samples // 32):
            yield from B.tolist(sampling.randint(high=n, size=(32,), generator=generator).data)
        yield from B.tolist(sampling.randint(high=n, size=(num_samples % 32,), generator=generator).data)
        return
    for _ in range(num_samples // n):
        yield from B.tolist(sampling.randperm(n, generator=generator).data)
    yield from B.tolist(sampling.randperm(n, generator=generator).data)[:num_samples % n]


def _positive(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise_python(ValueError(f"{name} should be a positive integer value, but got {name}={value}"))


class Sampler(ProgramObject):
    """torch.utils.data.Sampler: a program's sampler derives from it."""

    @program("__init__")
    def init(self, data_source=None):
        pass


class SequentialSampler(Sampler):
    @program("__init__")
    def init(self, data_source):
        self.__dict__["data_source"] = data_source

    @program("__iter__")
    def iter(self):
        return iter(range(length(self.__dict__["data_source"])))

    @program("__len__")
    def len(self):
        return length(self.__dict__["data_source"])


class RandomSampler(Sampler):
    @program("__init__")
    def init(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise_python(TypeError(f"replacement should be a boolean value, but got replacement={replacement}"))
        if generator is not None:
            G.chosen(generator)
        self.__dict__.update(data_source=data_source, replacement=replacement, _num_samples=num_samples,
                             generator=generator)
        _positive("num_samples", RandomSampler.len(self))

    @program("__iter__")
    def iter(self):
        own = self.__dict__
        return random_order(length(own["data_source"]), RandomSampler.len(self), own["replacement"],
                            own["generator"])

    @program("__len__")
    def len(self):
        own = self.__dict__
        return length(own["data_source"]) if own["_num_samples"] is None else own["_num_samples"]


class SubsetRandomSampler(Sampler):
    @program("__init__")
    def init(self, indices, generator=None):
        self.__dict__.update(indices=indices, generator=generator)

    @program("__iter__")
    def iter(self):
        own = self.__dict__
        order = B.tolist(sampling.randperm(len(own["indices"]), generator=own["generator"]).data)
        return (getitem(own["indices"], i) for i in order)

    @program("__len__")
    def len(self):
        return len(self.__dict__["indices"])


class WeightedRandomSampler(Sampler):
    @program("__init__")
    def init(self, weights, num_samples, replacement=True, generator=None):
        _positive("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise_python(ValueError(f"replacement should be a boolean value, but got replacement={replacement}"))
        w = weights if type(weights) is Tensor else creation.tensor(weights, dtype="float64")
        if w.data.dtype != B.dtype("float64"):
            w = creation.tensor(B.tolist(w.data), dtype="float64")
        if w.data.ndim != 1:
            raise_python(ValueError(f"weights should be a 1d sequence but given weights have shape "
                                    f"{tuple(w.data.shape)}"))
        self.__dict__.update(weights=w, num_samples=num_samples, replacement=replacement, generator=generator)

    @program("__iter__")
    def iter(self):
        own = self.__dict__
        drawn = M.multinomial(own["weights"], own["num_samples"], own["replacement"], generator=own["generator"])
        return iter(B.tolist(drawn.data))

    @program("__len__")
    def len(self):
        return self.__dict__["num_samples"]


class BatchSampler(Sampler):
    @program("__init__")
    def init(self, sampler, batch_size, drop_last):
        _positive("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise_python(ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}"))
        self.__dict__.update(sampler=sampler, batch_size=batch_size, drop_last=drop_last)

    @program("__iter__")
    def iter(self):
        own = self.__dict__
        return _batched(iter(iterate(own["sampler"])), own["batch_size"], own["drop_last"])

    @program("__len__")
    def len(self):
        own = self.__dict__
        n, size = length(own["sampler"]), own["batch_size"]
        return n // size if own["drop_last"] else (n + size - 1) // size


def _batched(indices, size, drop_last):
    batch = list(itertools.islice(indices, size))
    while batch and (len(batch) == size or not drop_last):
        yield batch
        batch = list(itertools.islice(indices, size))


SAMPLERS = (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler)
for _cls in SAMPLERS:
    native_class(_cls, "torch.utils.data.sampler")
CLASSES = {cls.__name__: cls for cls in SAMPLERS}
