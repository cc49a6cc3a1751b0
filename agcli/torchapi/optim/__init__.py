"""torch.optim on agcli's engine: the optimizers PyTorch's CPU runs by default
(single-tensor updates, op by op, bit for bit: SGD, Adam, AdamW,
RMSprop, Adagrad, Adadelta) and lr_scheduler.StepLR, MultiStepLR, ExponentialLR, LambdaLR,
CosineAnnealingLR, ReduceLROnPlateau, LinearLR, ConstantLR, PolynomialLR, MultiplicativeLR and OneCycleLR."""
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_more import ConstantLR, LinearLR, MultiplicativeLR, OneCycleLR, PolynomialLR
from .lr_plateau import CosineAnnealingLR, ReduceLROnPlateau
from .lr_scheduler import ExponentialLR, LambdaLR, LRScheduler, MultiStepLR, StepLR
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

OPTIMIZERS = {"Optimizer": Optimizer, "SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop,
              "Adagrad": Adagrad, "Adadelta": Adadelta}
SCHEDULERS = {"LRScheduler": LRScheduler, "StepLR": StepLR, "MultiStepLR": MultiStepLR,
              "ExponentialLR": ExponentialLR, "LambdaLR": LambdaLR, "CosineAnnealingLR": CosineAnnealingLR,
              "ReduceLROnPlateau": ReduceLROnPlateau, "LinearLR": LinearLR, "ConstantLR": ConstantLR,
              "PolynomialLR": PolynomialLR, "MultiplicativeLR": MultiplicativeLR, "OneCycleLR": OneCycleLR}
