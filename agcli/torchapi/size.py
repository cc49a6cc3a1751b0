"""torch.Size: what x.shape and x.size() give (a module of its own: the functions that make one import it)."""


class Size(tuple):
    """A tuple that prints as PyTorch's."""

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"
