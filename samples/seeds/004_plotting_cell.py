import matplotlib.pyplot as plt
import numpy as np
import torch
x = np.linspace(0,2*np.pi,200)
# print(x)
y=np.sin(x)
plt.plot(x,y,c="red")
x2=torch.tensor(x)
x2.requires_grad_(True)
y = torch.sin(x2)
try:
    y.backward(torch.ones_like(y))
    d = x2.grad
    d3 = d.detach()
    d2 = d3.numpy()
    x4 = x2.detach()
    x3 = x4.numpy()
    plt.plot(x3,d,c="blue")
    plt.xlabel('x')
    plt.ylabel('y')
    plt.title("y=sin(x) & dy = cos(x)dx")
    plt.show()
except Exception as e:
    print("Error:",e)
