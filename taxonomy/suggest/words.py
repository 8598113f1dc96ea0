"""Word lists of the suggest stage: which words make a method context, a data context, or no name.

They are plain sets so that a curator can read what decides a suggestion; the method that uses them
is described in :mod:`taxonomy.suggest`.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MIN_SHARE = 0.1  # a parent is proposed when its family is named near the name in this share of its sentences
MIN_BOND = 0.15  # a phrase's first word must occur in the phrase at least this share of the time
WINDOW = 10  # a concept votes for a candidate's parent when named this many words away or nearer
KIND_WINDOW = 3  # a category noun this near says what kind of thing a candidate is
MIN_KIND = 0.2  # a candidate is of a kind when this share of its sentences say so (two at least)
WORD = re.compile(r"[A-Za-z0-9]+(?:(?:-|(?<=\d)\.(?=\d))[A-Za-z0-9]+)*")
SUFFIXES = _words("based style like inspired augmented enhanced guided driven free only")
HEADS = _words(
    "model models architecture architectures network networks net nets layer layers module modules "
    "mechanism mechanisms block blocks encoder encoders decoder decoders backbone backbones unit units "
    " attention transformer transformers algorithm algorithms variant variants "
    "machine machines autoencoder autoencoders embedding embeddings policy policies"
)
INTRO = _words(
    "propose proposes proposed introduce introduces introduced present presents called dubbed named termed coined"
)
AFTER_NAME = _words("a an as which that for to and with in on is are by achieves outperforms uses")
LEFT = INTRO | _words(
    "using use uses employ employs employing adopt adopts adopting leverage "
    "leverages leveraging apply applies applying extend extends extending via than unlike "
    "outperforms outperform outperforming surpasses"
)
PAIRS = frozenset(
    {("based", "on"), ("built", "on"), ("variant", "of"), ("version", "of"), ("extension", "of")}
)
RIGHT = HEADS | _words(
    "outperforms outperform surpasses method methods approach approaches technique techniques framework frameworks"
)
DATA_RIGHT = _words(
    "dataset datasets benchmark benchmarks corpus corpora data score scores metric metrics challenge "
    "suite leaderboard task tasks environment environments game games split splits test competition "
    "library package toolkit platform simulator distance divergence norm space spaces equation "
    "equations inequality theorem conjecture problem problems error"
)
# Long forms ending in these name quantities and theory, not methods: "evidence lower bound (ELBO)".
NOT_HEADS = _words(
    "space spaces bound bounds information dimension rate error errors value values score distance "
    "divergence ratio theory theorem condition property privacy view correct equation equations"
)
SIZE = re.compile(r"\d+(?:\.\d+)?[A-Za-z]{0,2}")  # 7B, 3D, 4K, 10x: sizes and units
PHRASE_HEADS = _words(
    "model models architecture architectures network networks layer layers module modules mechanism "
    "mechanisms block blocks unit units machine machines"
)
# Modifiers that make no name of a phrase ("the proposed model", "a deep network").
GENERIC = _words(
    """the this that these those our their its his her your such any each every all some same other
    different existing previous prior standard simple single multiple several many various baseline base
    final original resulting underlying learned trained pretrained pre-trained untrained large larger
    small smaller deep deeper shallow wide full whole entire overall first second third last two three
    new novel proposed generative predictive statistical probabilistic machine learning computational
    mathematical general specific unified efficient robust powerful strong weak better best complex
    simpler end-to-end black-box white-box state-of-the-art sota modern classical traditional conventional
    popular common typical well-known widely-used and for with from into over under than which what
    where when how are were was has have had been being not also both only more most less fewer very
    well can may might will would should could must one use using used based called named given same
    trainable parametric nonparametric non-parametric additional extra auxiliary global local
    global-local individual candidate target source teacher student reference data image text language
    training inference test neural artificial hidden fine-tuned finetuned pruned overparameterized
    over-parameterized two-layer one-layer three-layer multi-layer shallow victim backdoored current hybrid"""
)
DATA_LEFT = _words("dataset datasets benchmark benchmarks")
ON_OK = _words("based built relies rely relying depends depend focus focuses conditioned")
SF = re.compile(r"\(\s*([A-Za-z0-9][A-Za-z0-9-]{0,9})\s*[;,)]")
LF_STOP = _words("a an the of and or in on for to with by we our this that is are")
# Generic words, acronyms, metrics, data sets and the like that are shaped like names but are not methods.
STOP = _words(
    """ai ml dl nlp cv rl nn nns ann anns dnn dnns gpu gpus cpu cpus tpu tpus fpga api apis iot sota url
    http pdf pde pdes ode odes sde sdes iid ood kl mse rmse mae auc roc f1 bleu rouge fid psnr ssim iou
    map ece imagenet cifar cifar10 cifar100 mnist coco glue superglue squad kitti mujoco atari openai
    google github pytorch tensorflow jax python arxiv latex us uk eu usa covid covid19 2d 3d 1d 4d rgb
    rgbd lidar ct mri ecg eeg fmri dna rna qa vqa mt asr tts nlu nlg ir ner pos ii iii iv vi ci cd ap
    ar vr ui ux id ids cnn rnn gnn llm llms vlm vlms mllm mllms sgd gd ode pca svd lr ml4 we our it
    al fig table section appendix theorem lemma eq github huggingface l1 l2 l0 o1 nvidia
    meta microsoft deepmind wikipedia english chinese internet twitter reddit youtube x y z n m k
    hz khz mhz ghz gb mb kb tb ms db dof hoi mdp mdps pomdp pomdps flop flops vc pac"""
)

# Words that end a clause: a concept named beyond one is not read as the candidate's neighbour.
CLAUSE_WORDS = _words("while whereas but although though however unlike")

# Kinds of names that are methods of a sort but fit under no family of architectures, each a general
# fact: optimizers, metrics, and dimensionality reduction and plotting tools are tools around a model,
# not models. A kind is read from a category noun near a name ("optimizers such as X", "X
# visualization", "the X metric") and from the kind's best-known members listed beside it ("SGD and
# X", "PCA, t-SNE, X"); a member itself is of its kind. (Data sets and benchmarks are told by their
# contexts instead: "on X", "X dataset", see DATA_RIGHT.)
KINDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "optimizer": (
        _words("optimizer optimizers optimiser optimisers"),
        _words("sgd adam adamw rmsprop adagrad adadelta adafactor adamax nadam lamb lars lion lbfgs bfgs"),
    ),
    "metric": (
        _words("metric metrics"),
        _words("auc auroc auprc f1 bleu rouge meteor fid psnr ssim lpips iou ece ndcg mrr"),
    ),
    "visualization": (
        _words(
            "visualization visualizations visualisation visualisations visualize visualizing visualise "
            "visualising plot plots dimensionality"
        ),
        _words("pca tsne umap mds isomap lle"),
    ),
}
KIND_OF_CUE = {word: kind for kind, (cues, _) in KINDS.items() for word in cues}
KIND_OF_MEMBER = {word: kind for kind, (_, members) in KINDS.items() for word in members}
LIST_WORDS = _words("and or nor vs versus")  # "SGD and X", "PCA, t-SNE or X": a list of one kind
LIST = re.compile(r"(?=.*(?:,|\b(?:and|or|nor|vs|versus)\b))(?:[\s,]|\b(?:and|or|nor|vs|versus)\b\.?)+")
# A size or version after a known name makes a variant of it, not a new name: LLaMA2-7B, ViT-B/16,
# GPT-4o-mini, ResNet-50, RegNetY-16GF.
VERSION = re.compile(
    r"(?:\d+(?:\.\d+)?[A-Za-z]{0,2}|[A-Za-z]|v\d+|mini|tiny|small|base|medium|large|xl|xxl|huge|giant"
    r"|instruct|chat|turbo|pro|flash|ultra|lite|plus|max|nano|preview|hf)",
    re.IGNORECASE,
)
