# Seed 000: "Autograd 以及反向传播" — every code cell, in order.
# Changed for agcli: notebook cells that only displayed a value now print() it;
# randn cells (the last one) fix their seed and print relations, not numbers.
import torch

t = torch.tensor([[1,2,3],[4,5,6]])

a = torch.tensor(1.0)
b = torch.tensor(2.0)

print(a.grad) # None

c = a + b
try:
    c.backward()
except RuntimeError as e:
    print(e)
# element 0 of tensors does not require grad and does not have a grad_fn

a = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)

print(a.grad, b.grad)
# None None

c = a + b
print(c)
# tensor(3., grad_fn=<AddBackward0>)

c.backward()
# 也可以写作 torch.autograd.backward(c)

print((c, a, b))
# (tensor(3., grad_fn=<AddBackward0>),
# tensor(1., requires_grad=True),
# tensor(2., requires_grad=True))

print((a.grad, b.grad))
# (tensor(1.), tensor(1.))

a = torch.tensor(42.0, requires_grad=True)
b = torch.tensor(99.0, requires_grad=True)
c = a * b
print(c)
# tensor(4158., grad_fn=<MulBackward0>)
c.backward()
print((a.grad, b.grad))
# (tensor(99.), tensor(42.))
print(a.grad_fn) # None
print(a.is_leaf) # True
print(c.grad_fn, c.is_leaf) # <MulBackward0 object at 0x000001E264B841F0> False

# f = a*b + c*d**2/e
a = torch.tensor(2., requires_grad=True)
b = torch.tensor(4., requires_grad=True)
c = torch.tensor(6., requires_grad=True)
d = torch.tensor(8., requires_grad=True)
e = torch.tensor(10., requires_grad=True)

print(a.grad) # None

g = a * b
h = c*d**2/e
f = g + h

print(g.is_leaf, g.grad_fn)
# False <MulBackward0 object at 0x000001E264C1F7F0>

f.backward()

for el in [a, b, c, d, e]:
    print(el.grad)
# tensor(4.)
# tensor(2.)
# tensor(6.4000)
# tensor(9.6000)
# tensor(-3.8400)

a.grad = None

print((g.grad, h.grad))
# (None, None), with PyTorch's warning about .grad of a non-leaf

# 矩阵的多元微分
a = torch.tensor([[2.,4.,6.],[2.,3.,4.],[9.,7.,8.]], requires_grad=True)
b = torch.tensor([[4.,9.,2.],[7.,1.,1.],[6.,7.,3.]], requires_grad=True)
c = torch.tensor([[6.,1.,3.],[2.,3.,2.],[4.,8.,6.]], requires_grad=True)
d = torch.tensor([[2.,2.,4.],[4.,4.,6.],[3.,2.,8.]], requires_grad=True)
e = torch.tensor([[1.,3.,6.],[7.,1.,4.],[1.,4.,6.]], requires_grad=True)

g = a @ b
h = c@d**2/e
f = g + h

grad_tensor = torch.ones_like(g)
g.backward(grad_tensor)
print(g, a.grad, b.grad)

g = a @ b
h = c@d**2/e
f = g + h

grad_tensor = torch.ones_like(g)
grad_tensor[1][1] = 2
g.backward(grad_tensor)
print(g, a.grad, b.grad)

print(f)

g = a @ b
h = c@d**2/e
f = g + h

f.backward(torch.ones_like(f))
for el in [a, b, c, d, e]:
    print(el.grad)

x = torch.tensor([1., 2., 3.], requires_grad=True)

y = x @ x
print(y)
y.backward()
print(x.grad)

y = x.T @ x
print(y)
y.backward()
print(x.grad)

torch.manual_seed(0)
x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w)+b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

loss.backward()
print(loss.grad_fn)
# the gradient of a sum of logits: every row of w.grad equals b.grad
print(torch.all(w.grad == b.grad))
