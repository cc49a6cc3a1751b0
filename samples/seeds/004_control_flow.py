# Seed 004: 2*dot(x, x), differentiating through data-dependent control flow
# (scalar and vector), and the squared norm — every code cell but the plot,
# whose gradient is printed at the end. Changed for agcli: randn has a fixed
# seed. The plotting cell itself, pasted as it is, is 004_plotting_cell.py.
import torch

x = torch.arange(4.0)
print(x)
x.requires_grad_(True)
print(x)
print(x.grad)
y = 2 * torch.dot(x,x)
print(y)
y.backward()
print(x.grad)

torch.manual_seed(4)
print("————————标量————————")
def f(a):
    b = a*2
    while b.norm() < 1000:
        b = b*2
    if b.sum() > 0:
        c = b
    else:
        c = 100 *b
    return c
a = torch.randn(size=(),requires_grad=True)
print(a)
d=f(a)
print(d)
d.backward()
print(a.grad)
print(a.grad == d / a)
print("————————向量————————")
# 声明一个向量
a = torch.randn(3,requires_grad=True)
print(a)
d=f(a)
print(d)
try:
    d.backward()
    print(a.grad)
    print(a.grad == d/a)
except Exception as e:
    print("Error:",e)

print("————————向量————————")
# 声明一个向量
a = torch.randn(3,requires_grad=True)
print(a)
d=f(a)
print(d)
try:
    d.backward(torch.ones_like(d))
    print(a.grad)
    print(a.grad == d/a)
except Exception as e:
    print("Error:",e)

a = torch.randn(5,requires_grad=True)
print(a)
b = (torch.norm(a))**2
print(b)
b.backward()
print(a.grad)
print(torch.allclose(a.grad, 2 * a))

# f(x) = sin(x): its gradient, computed without writing cos(x)
x2 = torch.linspace(0, 2 * torch.pi, 9)
x2.requires_grad_(True)
y = torch.sin(x2)
y.backward(torch.ones_like(y))
d = x2.grad
print(d)
