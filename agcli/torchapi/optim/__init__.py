"""torch.optim on agcli's engine: the optimizers PyTorch's CPU runs by default
(single-tensor updates, op by op, bit for bit: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta,
NAdam, RAdam, Adamax, Rprop, ASGD; LBFGS) and lr_scheduler's StepLR, MultiStepLR, ExponentialLR,
LambdaLR, MultiplicativeLR, CosineAnnealingLR, ReduceLROnPlateau, LinearLR, ConstantLR, PolynomialLR,
CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR, SequentialLR and ChainedScheduler."""
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import ASGD, Adamax, Rprop
from .lbfgs import LBFGS
from .lr_compose import ChainedScheduler, SequentialLR
from .lr_cycles import CyclicLR, OneCycleLR
from .lr_linear import ConstantLR, CosineAnnealingWarmRestarts, LinearLR, PolynomialLR
from .lr_plateau import CosineAnnealingLR, ReduceLROnPlateau
from .lr_scheduler import ExponentialLR, LambdaLR, LRScheduler, MultiplicativeLR, MultiStepLR, StepLR
from .nadam import NAdam, RAdam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

OPTIMIZERS = {"Optimizer": Optimizer, "SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop,
              "Adagrad": Adagrad, "Adadelta": Adadelta, "NAdam": NAdam, "RAdam": RAdam, "Adamax": Adamax,
              "Rprop": Rprop, "ASGD": ASGD, "LBFGS": LBFGS}
SCHEDULERS = {"LRScheduler": LRScheduler, "StepLR": StepLR, "MultiStepLR": MultiStepLR,
              "ExponentialLR": ExponentialLR, "LambdaLR": LambdaLR, "CosineAnnealingLR": CosineAnnealingLR,
              "ReduceLROnPlateau": ReduceLROnPlateau, "LinearLR": LinearLR, "ConstantLR": ConstantLR,
              "PolynomialLR": PolynomialLR, "CosineAnnealingWarmRestarts": CosineAnnealingWarmRestarts,
              "OneCycleLR": OneCycleLR, "CyclicLR": CyclicLR, "SequentialLR": SequentialLR,
              "ChainedScheduler": ChainedScheduler, "MultiplicativeLR": MultiplicativeLR}
