"""The end of a program that checks its own gradients (tests/test_recurrent.py, test_rnn_utils.py):
after `loss().backward()`, every leaf's every element moved by +-1e-6 through `p.data` and the loss
recomputed under no_grad; it prints the number of leaves and the worst relative difference between
the central difference and the gradient, in float64. The program defines model, x, states and loss()."""

BY_ELEMENT = """
loss().backward()
leaves = list(model.parameters()) + [x] + [s for state in states for s in (state if isinstance(state, tuple)
                                                                             else (state,))]
worst = 0.0
for p in leaves:
    values = p.data.view(-1)
    grads = p.grad.view(-1)
    for i in range(values.numel()):
        old = values[i].item()
        with torch.no_grad():
            values[i] = old + 1e-6
            up = loss().item()
            values[i] = old - 1e-6
            down = loss().item()
            values[i] = old
        numeric = (up - down) / 2e-6
        worst = max(worst, abs(numeric - grads[i].item()) / (1.0 + abs(numeric)))
print(len(leaves), worst)
"""
