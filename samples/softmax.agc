# Softmax regression with a squared-error loss against a one-hot target.
# agcli grad "$(cat samples/softmax.agc)" --z "[0.5, -1.2, 2.0]" --t "[0, 0, 1]"
p = softmax(z, dim=0)
mse_loss(p, t)
