# Seed 001: "AUTOGRAD: AUTOMATIC DIFFERENTIATION" — every code cell, in order.
# Changed for agcli: torch.random.seed() is replaced by a fixed seed, so the
# randn cells are repeatable; they print relations the seed shows, since
# agcli's random numbers are not PyTorch's.
import torch
print(torch.__version__)

torch.manual_seed(1)

x = torch.ones(2, 2, requires_grad=True)
print(x)

y = x + 2
print(y)
print(y.grad_fn)

z = y * y * 3
print(z)
out = z.mean()
print(out)

a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)

a.detach().fill_(9.)
print(a)
# or
with torch.no_grad():
    a[:] = 11.
print(a)

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()

out.backward(create_graph=True)
print(x.grad)

torch.autograd.backward(out, create_graph=True)
print(x.grad)
# or
torch.autograd.backward(out, create_graph=True)
print(x.grad)

x = torch.ones(2,requires_grad=True)
z = x + 2
z.backward(torch.ones_like(z))
print(x.grad)

x = torch.ones(2,requires_grad=True)
z = x + 2
z.sum().backward()
print(x.grad)

x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
# y = x * 2**k, so x.grad is v * 2**k: the same power of two in every place
print(x.grad / v)
