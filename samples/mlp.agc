# A two-layer perceptron's loss, one statement per line.
# agcli grad "$(cat samples/mlp.agc)" --x "randn(4, 3)" --w1 "randn(3, 5)" --w2 "randn(5, 2)" --y "tensor([0, 1, 1, 0])" --wrt w1,w2 --seed 0
h = relu(x @ w1)
logits = h @ w2
F.cross_entropy(logits, y.long())
