"""torch.utils.data in programs: Dataset (a program subclasses it), TensorDataset, Subset,
ConcatDataset, random_split and DataLoader (with a sampler or batch sampler of
utils_data_samplers.py, or a program's), as torch/utils/data writes them.

Iterating a DataLoader draws what PyTorch's does from the random generator: its iterator's
`_base_seed` (one int64 random_() when iteration starts) and, with shuffle=True, at the
first batch RandomSampler's seed (another int64 random_()) for a new Generator whose
randperm orders the samples — so the batches and every later random number are PyTorch's.
Batches are collated as default_collate does (tensors stacked, numbers made tensors, tuples
and lists transposed, dicts by key).
"""
from __future__ import annotations

import bisect
import math

import numpy

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..state import state
from ..torchapi import creation, functions, generator as G, sampling
from .nn.native import native_class, program
from .program_classes import instantiate
from .program_exceptions import raise_python
from .program_items import getitem
from .program_objects import Builtin, ProgramObject
from .program_iteration import iterate
from .program_values import type_name
from .utils_data_samplers import CLASSES as SAMPLERS, length, random_order, rows as _rows


class Dataset(ProgramObject):
    """torch.utils.data.Dataset: a program's map-style dataset derives from it."""

    @program("__getitem__")
    def getitem(self, index):
        raise_python(NotImplementedError("Subclasses of Dataset should implement __getitem__."))


class TensorDataset(Dataset):
    """Samples are the tensors' rows at one index, as a tuple."""

    @program("__init__")
    def init(self, *tensors):
        for t in tensors:
            if type(t) is not Tensor:
                raise_python(AttributeError(f"'{type_name(t)}' object has no attribute 'size'"))
        if tensors and any(_rows(t) != _rows(tensors[0]) for t in tensors):
            raise_python(AssertionError("Size mismatch between tensors"))
        self.__dict__["tensors"] = tensors

    @program("__getitem__")
    def getitem(self, index):
        return tuple(getitem(t, index) for t in self.__dict__["tensors"])

    @program("__len__")
    def len(self):
        return _rows(self.__dict__["tensors"][0])


class Subset(Dataset):
    """The samples of a dataset at some indices (random_split's parts)."""

    @program("__init__")
    def init(self, dataset, indices):
        self.__dict__.update(dataset=dataset, indices=indices)

    @program("__getitem__")
    def getitem(self, index):
        own = self.__dict__
        if isinstance(index, list):
            return getitem(own["dataset"], [own["indices"][i] for i in index])
        return getitem(own["dataset"], getitem(own["indices"], index))

    @program("__len__")
    def len(self):
        return len(self.__dict__["indices"])


class ConcatDataset(Dataset):
    """The samples of several datasets, one after another."""

    @program("__init__")
    def init(self, datasets):
        parts = list(iterate(datasets))
        if not parts:
            raise_python(AssertionError("datasets should not be an empty iterable"))
        sizes, total = [], 0
        for d in parts:
            total += length(d)
            sizes.append(total)
        self.__dict__.update(datasets=parts, cumulative_sizes=sizes)

    @program("__getitem__")
    def getitem(self, idx):
        own = self.__dict__
        n = own["cumulative_sizes"][-1]
        if idx < 0:
            if -idx > n:
                raise_python(ValueError("absolute value of index should not exceed dataset length"))
            idx = n + idx
        k = bisect.bisect_right(own["cumulative_sizes"], idx)
        return getitem(own["datasets"][k], idx if k == 0 else idx - own["cumulative_sizes"][k - 1])

    @program("__len__")
    def len(self):
        return self.__dict__["cumulative_sizes"][-1]


def random_split(dataset, lengths, generator=None):
    """Subsets of a randperm of the dataset's indices (lengths, or fractions of it)."""
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _split_of_fractions(length(dataset), lengths)
    if sum(lengths) != length(dataset):
        raise_python(ValueError("Sum of input lengths does not equal the length of the input dataset!"))
    indices = B.tolist(sampling.randperm(sum(lengths), generator=generator).data)
    parts, offset = [], 0
    for n in lengths:
        parts.append(instantiate(Subset, (dataset, indices[offset:offset + n]), {}))
        offset += n
    return parts


def _split_of_fractions(n, fractions):
    """floor(n * fraction) each, the remainder given out one by one from the first."""
    sizes = []
    for i, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise_python(ValueError(f"Fraction at index {i} is not between 0 and 1"))
        sizes.append(math.floor(n * fraction))
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    for i, size in enumerate(sizes):
        if size == 0:
            state.warn(f"UserWarning: Length of split at index {i} is 0. This might result in an empty dataset.")
    return sizes


class DataLoader(ProgramObject):
    """Batches of a map-style dataset: in order, or shuffled as RandomSampler shuffles."""

    @program("__init__")
    def init(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
             collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
             multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
             pin_memory_device="", in_order=True):
        if sampler is not None and shuffle:
            raise_python(ValueError("sampler option is mutually exclusive with shuffle"))
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise_python(ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                        "sampler, and drop_last"))
            batch_size, drop_last = None, False
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size <= 0):
            raise_python(ValueError(f"batch_size should be a positive integer value, but got "
                                    f"batch_size={batch_size}"))
        if generator is not None:
            G.chosen(generator)
        own = self.__dict__
        own.update(dataset=dataset, batch_size=batch_size, drop_last=bool(drop_last), generator=generator,
                   num_workers=num_workers, collate_fn=collate_fn, shuffle=bool(shuffle), sampler=sampler,
                   batch_sampler=batch_sampler)

    @program("__len__")
    def len(self):
        own = self.__dict__
        if own["batch_sampler"] is not None:
            return length(own["batch_sampler"])
        n, size = length(own["dataset"] if own["sampler"] is None else own["sampler"]), own["batch_size"]
        if size is None:
            return n
        return n // size if own["drop_last"] else -(-n // size)

    @program("__iter__")
    def iter(self):
        own = self.__dict__
        # _BaseDataLoaderIter.__init__: its _base_seed, drawn whether or not it shuffles
        sampling.random_(creation.zeros((), dtype="int64"), generator=own["generator"])
        return _SingleProcessDataLoaderIter(_batches(own), DataLoader.len(self))


class _SingleProcessDataLoaderIter:
    """iter(loader), by PyTorch's class name: the batches, one by one, and their count (len(iter(loader)))."""

    pytorch_module = "torch.utils.data.dataloader"
    native_iterator = True      # (a program iterates it as Python's own iterators: program_iteration.py)

    def __init__(self, batches, count):
        self.batches, self.count = batches, count

    def __repr__(self):
        return f"<{self.pytorch_module}._SingleProcessDataLoaderIter object at {id(self):#x}>"

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.batches)

    def __len__(self):
        return self.count


def _batches(own):
    """The batches, lazily: RandomSampler draws its seed at the first one (a Python generator's body)."""
    collate = own["collate_fn"] or default_collate
    if own["batch_sampler"] is not None:
        for indices in iterate(own["batch_sampler"]):
            yield collate([getitem(own["dataset"], i) for i in indices])
        return
    if own["sampler"] is not None:
        order = iterate(own["sampler"])
    else:
        order = _shuffled(own) if own["shuffle"] else range(length(own["dataset"]))
    size = own["batch_size"]
    if size is None:        # no batching: each sample through default_convert (or the collate_fn)
        convert = own["collate_fn"] or _convert
        for i in order:
            yield convert(getitem(own["dataset"], i))
        return
    batch = []
    for i in order:
        batch.append(getitem(own["dataset"], i))
        if len(batch) == size:
            yield collate(batch)
            batch = []
    if batch and not own["drop_last"]:
        yield collate(batch)


def _shuffled(own):
    """shuffle=True: RandomSampler(dataset, generator=the loader's)."""
    n = length(own["dataset"])
    return random_order(n, n, False, own["generator"])


def _convert(sample):
    """default_convert: tuples and lists as lists, dicts by key, the rest as it is."""
    if isinstance(sample, dict):
        return {key: _convert(value) for key, value in sample.items()}
    if isinstance(sample, (tuple, list)):
        return [_convert(value) for value in sample]
    return sample


def default_collate(batch):
    """torch.utils.data.default_collate: a batch (a list of samples) as one sample of batched fields."""
    elem = batch[0]
    if type(elem) is Tensor:
        return functions.stack(list(batch), 0)
    if isinstance(elem, bool) or isinstance(elem, int):
        return creation.tensor(list(batch))
    if isinstance(elem, float):
        return creation.tensor(list(batch), dtype="float64")
    if isinstance(elem, str):
        return batch
    if isinstance(elem, numpy.ndarray) and elem.dtype.kind in "biuf":     # (each as torch.as_tensor, stacked)
        return functions.stack([creation.tensor(b, dtype=b.dtype.name) for b in batch], 0)
    if isinstance(elem, numpy.generic) and elem.dtype.kind in "biuf":
        return creation.tensor(numpy.array(batch), dtype=elem.dtype.name)
    if isinstance(elem, dict):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, (tuple, list)):
        if any(len(sample) != len(elem) for sample in batch):
            raise_python(RuntimeError("each element in list of batch should be of equal size"))
        return [default_collate(samples) for samples in zip(*batch)]    # (strings stay zip's tuples, as PyTorch's)
    raise_python(TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                           f"found <class '{type_name(elem)}'>"))


for _cls in (Dataset, TensorDataset, Subset, ConcatDataset):
    native_class(_cls, "torch.utils.data.dataset")
native_class(DataLoader, "torch.utils.data.dataloader")
CLASSES = {"Dataset": Dataset, "TensorDataset": TensorDataset, "Subset": Subset, "ConcatDataset": ConcatDataset,
           "DataLoader": DataLoader, **SAMPLERS,
           "random_split": Builtin("random_split", random_split),
           "default_collate": Builtin("default_collate", default_collate)}
