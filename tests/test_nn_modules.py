"""torch.nn in programs, beyond the transcripts (tests/fixtures/nn_programs/010-020):
what a Parameter is to the engine, the values PyTorch 2.13 gives for a seeded
Linear, unpacking load_state_dict's answer, subclassing a layer, ModuleList's
`+=`, the generator PyTorch's iterators return, and the hint for a layer agcli
lacks. Expected texts were printed by PyTorch 2.13 (noted where they differ by
an address).
"""
from __future__ import annotations

import pytest

from agcli.engine.tensor import Tensor
from agcli.errors import AgcliError
from agcli.language.nn import is_parameter
from agcli.language.program import run_program
from agcli.state import state
from installed import without_addresses


def run(source: str) -> str:
    out = []
    with state.using(default_float="float32"):
        run_program(source, out.append)
    return "".join(out)


def test_a_parameter_is_an_engine_tensor_with_its_flag_and_ops_on_it_are_plain():
    env = {}
    run_program("import torch\np = torch.nn.Parameter(torch.ones(2))\nq = p * 2\nd = p.data\n", lambda s: None,
                env=env)
    p, q, d = env["p"], env["q"], env["d"]
    assert type(p) is Tensor and is_parameter(p) and p.requires_grad and p.grad_fn is None
    assert not is_parameter(q) and not is_parameter(d) and not hasattr(q, "parameter")
    assert not is_parameter(Tensor(p.data))


def test_a_seeded_linear_draws_pytorchs_numbers():
    # torch.manual_seed(0); l = nn.Linear(4, 3); print(l.weight, l.bias) in PyTorch 2.13
    text = run("import torch\ntorch.manual_seed(0)\nl = torch.nn.Linear(4, 3)\nprint(l.weight)\nprint(l.bias)\n")
    assert text == ("Parameter containing:\n"
                    "tensor([[-0.0037,  0.2682, -0.4115, -0.3680],\n"
                    "        [-0.1926,  0.1341, -0.0099,  0.3964],\n"
                    "        [-0.0444,  0.1323, -0.1511, -0.0983]], requires_grad=True)\n"
                    "Parameter containing:\n"
                    "tensor([-0.4777, -0.3311, -0.2061], requires_grad=True)\n")


def test_load_state_dict_answer_unpacks_and_names_its_lists():
    text = run("import torch\nm = torch.nn.Linear(2, 1)\n"
               "missing, unexpected = m.load_state_dict({'bias': torch.zeros(1), 'x': torch.ones(1)}, strict=False)\n"
               "print(missing, unexpected)\nr = m.load_state_dict(m.state_dict())\n"
               "print(r.missing_keys, r.unexpected_keys, r)\n")
    assert text == "['weight'] ['x']\n[] [] <All keys matched successfully>\n"


def test_a_program_subclasses_a_layer_and_calls_its_methods_through_super():
    text = run("import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\n"
               "class Doubled(nn.Linear):\n"
               "    def __init__(self, n):\n"
               "        super().__init__(n, n, bias=False)\n"
               "    def forward(self, x):\n"
               "        return super().forward(x) * 2\n"
               "    def extra_repr(self):\n"
               "        return 'doubled, ' + super().extra_repr()\n"
               "m = Doubled(2)\nprint(m)\nprint(m(torch.ones(1, 2)).grad_fn.name())\n"
               "print(isinstance(m, nn.Linear), isinstance(m, nn.Module), type(m).__name__)\n"
               "try:\n    m.weight = torch.ones(2, 2)\nexcept TypeError as e:\n    print(e)\n")
    assert text == ("Doubled(doubled, in_features=2, out_features=2, bias=False)\nMulBackward0\n"
                    "True True Doubled\n"
                    "cannot assign 'torch.FloatTensor' as parameter 'weight' (torch.nn.Parameter or None expected)\n")


def test_assigning_a_program_module_where_a_parameter_is_names_its_class():
    text = run("import torch\nclass Net(torch.nn.Module):\n    pass\n"
               "m = torch.nn.Linear(1, 1)\ntry:\n    m.bias = Net()\nexcept TypeError as e:\n    print(e)\n")
    assert text == "cannot assign '__main__.Net' as parameter 'bias' (torch.nn.Parameter or None expected)\n"


def test_module_list_adds_in_place_and_sequential_slices_keep_their_class():
    text = run("import torch\nimport torch.nn as nn\nml = nn.ModuleList()\nml += [nn.ReLU(), nn.Tanh()]\n"
               "print(ml)\nprint(type(ml[0:1]).__name__, type(nn.Sequential(nn.ReLU())[0:]).__name__)\n")
    assert text == "ModuleList(\n  (0): ReLU()\n  (1): Tanh()\n)\nModuleList Sequential\n"


def test_the_iterators_are_generators_as_pytorchs_are():
    # PyTorch: <generator object Module.parameters at 0x...> (the address taken out)
    text = without_addresses(run("import torch\nm = torch.nn.Linear(1, 1)\nprint(m.parameters())\nprint(m.named_modules())\n"
               "g = m.parameters()\nprint(next(g).shape, next(g).shape)\n"))
    assert text == ("<generator object Module.parameters>\n<generator object Module.named_modules>\n"
                    "torch.Size([1, 1]) torch.Size([1])\n")


def test_a_layer_agcli_lacks_is_pytorchs_attribute_error_with_agclis_hint():
    with pytest.raises(AgcliError) as caught:
        run("import torch.nn as nn\nnn.AdaptiveLogSoftmaxWithLoss(4, 10, [5])\n")
    assert "module 'torch.nn' has no attribute 'AdaptiveLogSoftmaxWithLoss'" in caught.value.message
    assert "PyTorch has torch.nn.AdaptiveLogSoftmaxWithLoss, but agcli does not provide it" in caught.value.hint


def test_a_call_that_does_not_fit_a_method_is_pythons_type_error_for_pytorchs_method():
    text = run("import torch\ntry:\n    torch.nn.Linear(1, 1).zero_grad(True, 2)\nexcept TypeError as e:\n"
               "    print(e)\n")
    assert text == "Module.zero_grad() takes from 1 to 2 positional arguments but 3 were given\n"


def test_a_module_attribute_hint_says_what_pytorch_has_or_guesses_a_member():
    with pytest.raises(AgcliError) as caught:
        run("import torch\ntorch.nn.Linear(1, 1).bfloat16()\n")
    assert caught.value.message == "AttributeError: 'Linear' object has no attribute 'bfloat16'"
    assert "PyTorch has torch.nn.Module.bfloat16, but agcli does not provide it" in caught.value.hint
    with pytest.raises(AgcliError) as caught:
        run("import torch\ntorch.nn.Linear(1, 1).weigth\n")
    assert caught.value.suggestion == "weight" and caught.value.hint is None     # (Python's report says it)


def test_a_module_keeps_hook_tables_only_once_a_hook_is_registered():
    env = {}
    run_program("import torch\nm = torch.nn.Linear(1, 1)\nm(torch.ones(1))\nk = torch.nn.Linear(1, 1)\n"
                "h = k.register_forward_hook(lambda mod, args, out: out * 2)\ny = k(torch.ones(1))\nh.remove()\n"
                "z = k(torch.ones(1))\n", lambda s: None, env=env)
    assert "_forward_hooks" not in env["m"].__dict__ and "_forward_pre_hooks" not in env["m"].__dict__
    assert env["k"].__dict__["_forward_hooks"] == {}
    assert float(env["y"].data[0]) == 2 * float(env["z"].data[0])
