"""The bundled rules: valid, at least 300 concepts, every example and counterexample holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taxonomy.models import Paper
from taxonomy.rules import Taxonomy
from taxonomy.ruletests import run_rule_tests
from taxonomy.tag import Tagger

FAMILIES = (
    "adversarial", "autoencoder", "bandit", "bayesian", "capsule", "causal", "clustering", "cnn",
    "compression", "continual", "diffusion", "ebm", "fairness", "federated", "flow", "gan", "gnn", "gp-kernel",
    "inference", "interpretability", "kan", "llm", "meta", "mlp", "moe", "nas", "neural-field", "neural-ode",
    "optimal-transport", "optimization", "privacy", "rl", "rnn", "sciml", "snn", "ssl", "ssm", "transfer",
    "transformer", "tree", "weak-supervision",
)  # fmt: skip


def test_families_and_size(taxonomy: Taxonomy) -> None:
    assert taxonomy.families == FAMILIES
    concepts = [c for c in taxonomy.concepts.values() if not c.is_family]
    assert len(concepts) >= 300
    assert all(c.examples and c.counterexamples for c in taxonomy.concepts.values())


def test_every_example_and_counterexample_holds(taxonomy: Taxonomy, tagger: Tagger) -> None:
    result = run_rule_tests(taxonomy, tagger)
    assert [f.describe() for f in result.failures] == []


@pytest.mark.parametrize(
    ("title", "families"),
    [
        ("Deep Residual Learning with ResNet for Image Recognition", ("cnn",)),
        ("GraphSAGE on Large Graphs", ("gnn",)),
        ("StyleGAN Latent Editing", ("gan",)),
        ("Switch Transformer Scaling", ("moe", "transformer")),
        ("PPO for Robot Control", ("rl",)),
        ("RWKV for Long Documents", ("rnn",)),
        ("S5 Layers for Audio", ("ssm",)),
        ("Decision Transformer for Trading", ("rl", "transformer")),
        ("Masked Autoencoders for Point Clouds", ("autoencoder", "ssl")),
        ("Denoising Diffusion Models for Speech", ("diffusion",)),
        ("Prompting Large Language Models for Translation", ("llm",)),
        ("Causal Discovery from Mixed Interventions", ("causal",)),
        ("Test-Time Adaptation of Detectors to Foggy Scenes", ("transfer",)),
        ("Spectral Clustering of Signed Networks", ("clustering",)),
        ("Pseudo-Labelling for Semi-Supervised Speech Recognition", ("weak-supervision",)),
        ("Sinkhorn Divergences for Unbalanced Optimal Transport", ("optimal-transport",)),
        ("Integrated Gradients for Explaining Protein Classifiers", ("interpretability",)),
        ("Equalized Odds Post-Processing for Credit Scoring", ("fairness",)),
    ],
)
def test_titles_alone_name_their_families(tagger: Tagger, title: str, families: tuple[str, ...]) -> None:
    from taxonomy.models import Paper

    assert tagger.tag(Paper(id="t", title=title)).families_primary == families


def test_examples_are_written_for_the_project(taxonomy: Taxonomy, shared: Path) -> None:
    """Rules must not quote the shared corpus: no example or counterexample is a real title there."""
    titles = {
        line.strip().lower().rstrip(".") for line in (shared / "corpus" / "hf-papers-listing.txt").open()
    }
    with (shared / "corpus" / "abstracts-ml.jsonl").open() as handle:
        titles.update(json.loads(line)["title"].strip().lower().rstrip(".") for line in handle)
    quoted = [
        f"{c.where}: {text!r}"
        for c in taxonomy.concepts.values()
        for text in c.examples + c.counterexamples
        if " ".join(text.lower().split()).rstrip(".") in titles
    ]
    assert quoted == []


@pytest.mark.parametrize(
    ("abstract", "primary"),
    [
        # Several families' models in a report of experiments are the workloads, not the method ...
        ("We propose a new optimizer. In experiments, we train CNNs, LSTMs and Transformers with it.", ()),
        ("We propose a new optimizer. We train CNNs and Transformers with it in experiments.", ()),
        # Findings "consistent across" several families' models report results on workloads.
        (
            "We propose a new optimizer. Our findings are consistent across convolutional neural "
            "networks and recurrent neural networks.",
            (),
        ),
        # A family it compares with does not make the others workloads.
        (
            "We propose a decoding method. Our experiments show that it outperforms reinforcement "
            "learning with language models.",
            ("llm",),
        ),
        # A sentence quoting top-1 accuracy reports results: its models are workloads.
        (
            "We propose an augmentation for graph neural networks. Our augmentation improves the top-1 "
            "accuracy of ResNet-101 and ViT-B by 2%.",
            ("gnn",),
        ),
        # Wherever the metric is named, a model the paper's method is tried with is its workload ...
        (
            "We propose a contrastive self-supervised method. The proposed method reaches a top-1 "
            "accuracy of 76% on ImageNet with a standard ResNet-50.",
            ("ssl",),
        ),
        # ... and a paper that names nothing else is not about it.
        ("We study activations. On MobileNet V1, our activation reaches 71% top-1 accuracy.", ()),
        # So does one quoting FID or the Inception Score.
        (
            "We propose a normalization layer for graph neural networks. Our layer improves the FID of "
            "three GANs and the accuracy of two NAS methods.",
            ("gnn",),
        ),
        # A model named just before the benchmark data set it is run on is the method's workload ...
        (
            "We propose a pruning method for neural networks. We prune 60% of the weights of ResNet-50 "
            "on ImageNet without loss of accuracy.",
            ("compression",),
        ),
        (
            "We propose a weight quantization method. We quantize MobileNetV2 and VGG-16 trained on CIFAR-10 to "
            "four bits.",
            ("compression",),
        ),
        # ... not one whose own result follows a comma, nor one a paper names nothing else of ...
        (
            "We propose a pruning method. Using our pruned U-Net, we reach new results on ImageNet.",
            ("cnn", "compression"),
        ),
        ("We study training. We train a U-Net on ImageNet with large batches.", ("cnn",)),
        # ... but a reference CNN (ResNet-50) is what a method is shown on, even then.
        (
            "We propose a pruning method. Using our pruned ResNet-50, we reach new results on ImageNet.",
            ("compression",),
        ),
        ("We study training. We train ResNet-50 on ImageNet with large batches.", ()),
        # ... and so is one named just after the data set ("on ImageNet using ...").
        (
            "We propose a calibration method with gradient-boosted trees. We improve accuracy by 0.5% on "
            "ImageNet-1k using ResNet-34.",
            ("tree",),
        ),
        (
            "We propose a prompt learning method for vision-language models. We reach 80% on ImageNet with "
            "ViT-L/14.",
            ("llm",),
        ),
        # "Apply A to B": B is what the method is applied to ...
        (
            "We propose a network pruning method. We apply our method to convolutional neural "
            "networks and recurrent neural networks.",
            ("compression",),
        ),
        # ... and a paper that names B alone is not about it; A, before "to", is used.
        ("We study memory. By applying this rule to recurrent networks, we derive bounds.", ()),
        ("We apply graph neural networks to protein design.", ("gnn",)),
        # Examples listed in a sentence about the authors' work are examples, not the method.
        (
            "We study label smoothing. We show it helps architectures such as LSTMs, CNNs and Transformers.",
            (),
        ),
        # One family's model used after the words of a report of experiments is the workload of a
        # paper whose own method is another family's ...
        (
            "We propose a graph neural network optimizer. Extensive experiments using mainstream "
            "convolutional neural network models show that our optimizer trains faster.",
            ("gnn",),
        ),
        (
            "We propose a bilevel meta-learning method. In our experiments on few-shot image classification "
            "with a ResNet-12 network, we show that it outperforms the baselines.",
            ("meta",),
        ),
        # ... not when the paper uses it outside the report, or names no other method ...
        (
            "We propose a graph neural network optimizer and build it with convolutional neural networks. "
            "Experiments using convolutional neural networks show that it trains faster.",
            ("cnn", "gnn"),
        ),
        ("We study training. Experiments using convolutional neural networks show gains.", ("cnn",)),
        # A report in the past tense is one too ...
        (
            "We propose a graph neural network optimizer. We have evaluated it on various architectures, "
            "including CNNs and Transformers.",
            ("gnn",),
        ),
        # ... and so is a name a proposal's cue reaches past the method it names ...
        (
            "We propose a graph neural network optimizer. We evaluate our new algorithms on a neural "
            "architecture search problem.",
            ("gnn",),
        ),
        # ... but not the authors' own model named right after it.
        (
            "We propose a graph neural network optimizer. We evaluate our new convolutional neural "
            "network with it.",
            ("cnn", "gnn"),
        ),
        # ... and one of a list of models a report runs is a workload all the same.
        (
            "We study conformal prediction. We run experiments using Theta, Prophet, and Transformer models.",
            (),
        ),
        # ... nor when the report's words come after it, or are a noun alone.
        (
            "We propose a graph neural network optimizer. On two datasets, we use convolutional neural "
            "networks to predict its step size.",
            ("cnn", "gnn"),
        ),
        (
            "We propose a graph neural network optimizer. We build it using convolutional neural networks "
            "and run experiments.",
            ("cnn", "gnn"),
        ),
        # The reference CNNs a method is shown on are workloads even in a "we" sentence ...
        (
            "We propose a new optimizer. We reach full accuracy on ResNet50 and ResNet18 in half the steps.",
            (),
        ),
        ("Our defense helps WideResNet-28 secure 80% accuracy against query attacks.", ()),
        # ... but a paper whose model is a CNN says so.
        ("We classify chest X-rays with a convolutional neural network based on ResNet-50.", ("cnn",)),
        # ... and one the paper builds on stays its own.
        (
            "We propose a Transformer-based tracker. Experiments with CNNs, LSTMs and our Transformer-based "
            "tracker show gains.",
            ("transformer",),
        ),
    ],
)
def test_workloads_named_in_a_report_of_experiments(
    tagger: Tagger, abstract: str, primary: tuple[str, ...]
) -> None:
    assert tagger.tag(Paper(id="t", title="Fast training", abstract=abstract)).families_primary == primary


@pytest.mark.parametrize(
    "sentence",
    [
        # What a method is set against, or likened to, is not what it uses.
        "We propose a denoising regularizer, which contrasts with recent algorithms based on diffusion models.",
        "We propose a decoder for segmentation that behaves like large language models.",
        # What a method does without is not what it uses.
        "We propose a machine learning method for meshes that does not rely on graph neural networks.",
        "Our segmentation model doesn't need a large language model.",
    ],
)
def test_contrasts_and_likenesses_compare(tagger: Tagger, sentence: str) -> None:
    (mention,) = tagger.tag(Paper(id="t", title="Image segmentation", abstract=sentence)).mentions
    assert mention.role == "compares"


def test_every_family_is_in_an_area(taxonomy: Taxonomy) -> None:
    assert [f for f in taxonomy.families if not taxonomy.area_of(f)] == []


@pytest.mark.parametrize(
    ("title", "abstract", "primary"),
    [
        # In analysis, convolution is an operation on functions, not a network layer ...
        (
            "Multipliers on weighted spaces",
            "We characterise the convolution operators and mollifiers on a Banach function space.",
            (),
        ),
        # ... while a named CNN in such a paper is still one.
        (
            "Robust training",
            "We train a U-Net with convolution layers whose weights lie in a Banach space.",
            ("cnn",),
        ),
        # A spiking network trained through time is not a recurrent network ...
        ("Online learning", "We train spiking neural networks with backpropagation through time.", ("snn",)),
        # ... but backpropagation through time alone still trains one.
        ("Online learning", "We train the model with truncated backpropagation through time.", ("rnn",)),
        # A data augmentation policy is searched, not learned by policy search ...
        ("Fast augmentation", "We propose a fast augmentation policy search based on clustering.", ()),
        # ... while policy search for control stays reinforcement learning.
        ("Robot control", "We propose a direct policy search for legged robots.", ("rl",)),
        # "VITS" is an acronym of its own, not vision transformers.
        ("VITS for contextual bandits", "We propose VITS, a Thompson sampling method.", ("bandit",)),
        ("Pruning ViTs", "We prune the attention heads of a ViT.", ("compression", "transformer")),
        # In nearest-neighbour search, "graph-based" names a proximity-graph index.
        ("Faster search", "We route queries in graph-based approximate nearest neighbor search.", ()),
        # The prompts of a text-to-image model are its text input, not the prompting of a language model ...
        (
            "Better images",
            "We propose a prompt optimization method for text-to-image diffusion models.",
            ("diffusion",),
        ),
        # ... while prompts optimised for a language model are.
        ("Better answers", "We propose a prompt optimization method for question answering.", ("llm",)),
    ],
)
def test_a_word_in_another_sense_in_the_whole_paper(
    tagger: Tagger, title: str, abstract: str, primary: tuple[str, ...]
) -> None:
    assert tagger.tag(Paper(id="t", title=title, abstract=abstract)).families_primary == primary


@pytest.mark.parametrize(
    ("text", "family", "found"),
    [
        ("The distance is subadditive under convolution of states.", "cnn", False),
        ("We learn convolutional neural networks on graphs for molecules.", "cnn", False),
        ("We learn convolutional neural networks on graphs for molecules.", "gnn", True),
        ("We introduce graph structured prediction energy networks for tagging.", "gnn", False),
        ("We decompose vision-language modeling into spatial and temporal parts.", "llm", False),
        ("We pretrain with masked language modeling on web text.", "llm", True),
        ("Time is discretised by convolution quadrature and space by finite elements.", "cnn", False),
        ("R-convolution graph kernels compare substructures of two graphs.", "cnn", False),
        ("We present a graph attention convolution neural network for point clouds.", "cnn", False),
        ("We present a graph attention convolution neural network for point clouds.", "gnn", True),
        ("For the inverse problem we focus attention on acoustic waves.", "transformer", False),
        ("We focus attention on the salient frames with a temporal attention layer.", "transformer", True),
    ],
)
def test_false_friends_of_a_family_name(tagger: Tagger, text: str, family: str, found: bool) -> None:
    paper = tagger.tag(Paper(id="t", title="A study", abstract=text))
    assert (family in paper.families_mentioned) is found


@pytest.mark.parametrize(
    ("title", "abstract", "family", "tagged"),
    [
        # A learning method named before "learning to optimize" is the means, not a learned optimiser ...
        (
            "Informative priors",
            "We combine self-supervised and supervised learning to optimize the translation model.",
            "meta",
            False,
        ),
        # ... while learning to optimize on its own still is one.
        (
            "Learned update rules",
            "We propose learning to optimize: an LSTM learns the update rule of the optimiser.",
            "meta",
            True,
        ),
        # In a paper on implicit layers, an implicit representation is such a layer's output ...
        (
            "Equilibrium flows",
            "We propose an implicit neural network layer that solves a fixed-point problem, giving implicit "
            "representations of the flows on a network.",
            "neural-field",
            False,
        ),
        # ... elsewhere the short name of a neural implicit representation.
        (
            "Camera relocalisation",
            "We relocalise the camera against an implicit representation of the scene fitted to posed images.",
            "neural-field",
            True,
        ),
        (
            "Uncertainty in one pass",
            "We extend Prior Networks to regression with a Normal-Wishart output.",
            "bayesian",
            True,
        ),
        (
            "Robust aggregation",
            "We make distributed SGD Byzantine-resilient when a fifth of the workers send arbitrary gradients.",
            "federated",
            True,
        ),
        # A deep value network is a structured energy network, but in reinforcement learning the critic.
        (
            "Structured outputs",
            "We propose a deep value network that scores segmentations and refines them by gradient ascent.",
            "ebm",
            True,
        ),
        (
            "Order dispatching",
            "We train a deep value network with value iteration for deep reinforcement learning of dispatching.",
            "ebm",
            False,
        ),
        # VCL is variational continual learning, except in a paper on visual contrastive learning.
        (
            "Continual inference",
            "We extend VCL with task-specific adapters to reduce forgetting.",
            "continual",
            True,
        ),
        (
            "Graph pretraining",
            "Graph contrastive learning differs from the VCL methods of visual representation learning.",
            "continual",
            False,
        ),
        # The MLP of a Transformer layer is its feed-forward sublayer.
        (
            "Model merging",
            "We upscale the MLP of the Transformer layers into a mixture of experts.",
            "mlp",
            False,
        ),
        # Aleatoric uncertainty alone is modelled without a posterior; the NNGP kernel is a kernel.
        (
            "Heteroscedastic regression",
            "We model the aleatoric uncertainty of the regression targets with a quantile network.",
            "bayesian",
            False,
        ),
        (
            "Kernel sketches",
            "We propose a fast sketch of the NNGP kernel for many activations.",
            "bayesian",
            False,
        ),
        # A neural rendering of binaural sound is audio synthesis, not a scene field.
        (
            "Spatial audio",
            "We present a neural rendering approach for binaural sound synthesis from a mono source.",
            "neural-field",
            False,
        ),
        (
            "View synthesis",
            "We present a neural rendering approach for novel views of the captured scene.",
            "neural-field",
            True,
        ),
        # Neural SPDEs are neural differential equations and neural operators.
        (
            "Neural Stochastic PDEs",
            "We propose the Neural SPDE model for spatiotemporal dynamics driven by noise.",
            "sciml",
            True,
        ),
        # Federated domain generalisation is federated learning and domain generalisation.
        (
            "Federated Domain Generalization with Style Statistics",
            "We share style statistics between the clients of the federation.",
            "transfer",
            True,
        ),
        # A graph capsule network is a graph network, not a convolutional one.
        (
            "Hierarchical Graph Capsule Network",
            "We propose a graph capsule network that learns node capsules.",
            "cnn",
            False,
        ),
        # Distilling a many-step diffusion model into a few-step one is knowledge distillation ...
        (
            "Fast sampling",
            "We propose progressive distillation, which halves the sampling steps of a diffusion model.",
            "compression",
            True,
        ),
        # ... a consistency model trained on its own is not.
        (
            "Fast sampling",
            "We propose a consistency model trained by consistency training alone.",
            "compression",
            False,
        ),
        # A teacher-student framework alone does not say that a network is distilled.
        (
            "Dexterous grasping",
            "We propose a two-stage teacher-student framework for closed-loop grasping.",
            "compression",
            False,
        ),
        # "Pruning" alone names network pruning ...
        (
            "Pruning at scale",
            "We study what pruning does to the calibration of large models.",
            "compression",
            True,
        ),
        # ... except in a paper on search, where it prunes the search.
        (
            "Exact sparse regression",
            "Our branch-and-bound method speeds up pruning with cheaper bounds.",
            "compression",
            False,
        ),
        # An early-exit network is cheaper to run: compression.
        (
            "Anytime inference",
            "We propose an early exit network whose intermediate classifiers stop when confident.",
            "compression",
            True,
        ),
        # "New" before the data a method meets is not a proposal of what follows.
        (
            "Training under a memory budget",
            "Our study lets devices adapt to new data for on-device lifelong learning.",
            "continual",
            False,
        ),
    ],
)
def test_names_and_false_friends_of_the_newer_families(
    tagger: Tagger, title: str, abstract: str, family: str, tagged: bool
) -> None:
    primary = tagger.tag(Paper(id="t", title=title, abstract=abstract)).families_primary
    assert (family in primary) is tagged
