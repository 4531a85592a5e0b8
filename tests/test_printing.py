"""The printers: exact Unicode and LaTeX for every node class and the tricky parenthesisations,
well-formed LaTeX, and Unicode that parses back to the same tree."""

from __future__ import annotations

import inspect
import re

import pytest
import sympy

import matcalc  # noqa: F401  (installs str / latex on Expr)
import matcalc.expr as t
from matcalc.printing import PRECEDENCE, LatexPrinter, UnicodePrinter, to_latex, to_unicode

S = t.symbol
A, B, C = S("A", "n", "n"), S("B", "n", "n"), S("C", "n", "n")
X, Xs = S("X", "m", "n"), S("X", "n", "n")
D, R = S("D", "m", "k"), S("R", "k", "n")
W, M, Y = S("W", "k", "m"), S("M", "k", "k"), S("Y", "m", "k")
Z = S("Z", "m", "n")
Zc, Wc = S("Z", "m", "n", {"complex"}), S("W", "n", "n", {"complex"})
zc, uc = S("z", "n", 1, {"complex"}), S("u", "n", 1, {"complex"})
a, b, x, y = S("a", "m"), S("b", "n"), S("x", "n"), S("y", "n")
alpha, beta = S("α"), S("β")
n = t.dim("n")
WX = t.matmul(W, X)
XW = t.matmul(S("X", "n", "m"), S("W", "m", "k"))
sig = t.Apply("sigmoid", WX)
Tr = t.transpose
half = sympy.Rational(1, 2)


def num(v):
    return t.Number(sympy.sympify(v))


def ones_like(e):
    return t.broadcast(num(1), e.shape)


def g_term():
    Xn, Wm, Yn = S("X", "n", "m"), S("W", "m", "k"), S("Y", "n", "k")
    z = t.matmul(Xn, Wm)
    return t.scale(num(2), t.matmul(Tr(Xn), t.hadamard(t.sub(t.Apply("g", z), Yn), t.Apply("g", z, 1))))


# (tree, Unicode, LaTeX)
CASES = [
    # leaves
    (A, "A", "A"),
    (S("W_1", "n", "n"), "W₁", "W_{1}"),
    (S("W_12", "n", "n"), "W₁₂", "W_{12}"),
    (S("x_i", "n"), "x_i", "x_{i}"),
    (S("W_out", "n", "n"), "W_{out}", r"W_{\mathrm{out}}"),
    (S("x′", "n"), "x′", "x'"),
    (S("x_1′′", "n"), "x″₁", "x''_{1}"),
    (alpha, "α", r"\alpha"),
    (S("lambda"), "λ", r"\lambda"),
    (S("Σ", "n", "n"), "Σ", r"\Sigma"),
    (S("Β", "n", "n"), "Β", "B"),
    (S("DR", "n", "n"), "DR", r"\mathit{DR}"),
    (t.Differential(X), "dX", r"\mathrm{d}X"),
    (t.Identity(n), "I_n", "I_{n}"),
    (t.Ones(n), "𝟙_n", r"\mathbf{1}_{n}"),
    (t.Zero(X.shape), "0_{m×n}", r"0_{m \times n}"),
    (t.Zero(x.shape), "0_n", "0_{n}"),
    (t.broadcast(num(1), X.shape), "𝟙_{m×n}", r"\mathbf{1}_{m \times n}"),
    (t.broadcast(num(-2), X.shape), "−2𝟙_{m×n}", r"-2\mathbf{1}_{m \times n}"),
    (t.scale(alpha, t.broadcast(num(1), X.shape)), "α𝟙_{m×n}", r"\alpha\mathbf{1}_{m \times n}"),
    (t.broadcast(Tr(S("c", "n")), X.shape), "cᵀ + 0_{m×n}", r"c^{\top} + 0_{m \times n}"),
    (t.Commutation(*X.shape), "K_{m,n}", "K_{m,n}"),
    (t.scale(t.Trace(A), t.Identity(n)), "tr(A)I_n", r"\operatorname{tr}\left(A\right)I_{n}"),
    (t.add(A, t.Identity(n)), "A + I", "A + I"),
    (num(3), "3", "3"),
    (num(-3), "−3", "-3"),
    (num(half), "½", r"\tfrac{1}{2}"),
    (num(sympy.Rational(-3, 4)), "−¾", r"-\tfrac{3}{4}"),
    (num(sympy.Rational(2, 7)), "2/7", r"\tfrac{2}{7}"),
    (t.Number(n), "tr(I_n)", "n"),
    (t.Number(1 / n), "1/tr(I_n)", r"\frac{1}{n}"),
    (t.Number(2 * n), "2tr(I_n)", "2 n"),
    # sums and signs
    (t.add(t.matmul(Tr(A), Tr(C), Xs, Tr(B)), t.matmul(C, A, Xs, B)), "AᵀCᵀXBᵀ + CAXB",
     r"A^{\top}C^{\top}XB^{\top} + CAXB"),
    (t.sub(A, B), "A − B", "A - B"),
    (t.sub(A, t.scale(num(2), B)), "A − 2B", "A - 2B"),
    (t.add(t.neg(A), B), "−A + B", "-A + B"),
    (t.sub(A, t.add(B, C)), "A − (B + C)", r"A - \left(B + C\right)"),
    (t.sub(alpha, num(1)), "α − 1", r"\alpha - 1"),
    (t.sub(ones_like(Z), t.hadamard_pow(t.Apply("tanh", Z), 2)), "1 − tanh²(Z)",
     r"1 - \tanh^{2}\left(Z\right)"),
    # scalar multiples
    (t.scale(num(2), t.matmul(t.sub(t.matmul(D, R), X), Tr(R))), "2(DR − X)Rᵀ",
     r"2\left(DR - X\right)R^{\top}"),
    (t.neg(X), "−X", "-X"),
    (t.scale(num(half), X), "½X", r"\tfrac{1}{2}X"),
    (t.scale(num(sympy.Rational(-1, 3)), X), "−⅓X", r"-\tfrac{1}{3}X"),
    (t.scale(num(sympy.Rational(2, 7)), X), "(2/7)X", r"\tfrac{2}{7}X"),
    (t.scale(num(sympy.Rational(-2, 7)), X), "−(2/7)X", r"-\tfrac{2}{7}X"),
    (t.scale(t.matmul(Tr(a), X, b), X), "(aᵀXb)X", r"\left(a^{\top}Xb\right)X"),
    (t.scale(t.scale(num(2), alpha), X), "2αX", r"2\alpha X"),
    (t.scale(alpha, t.matmul(A, B)), "αAB", r"\alpha AB"),
    (t.scale(t.Det(Xs), t.inverse(Tr(Xs))), "det(X)X⁻ᵀ", r"\det\left(X\right)X^{-\top}"),
    (t.neg(t.matmul(t.inverse(Tr(A)), x, Tr(y), t.inverse(Tr(A)))), "−A⁻ᵀxyᵀA⁻ᵀ",
     r"-A^{-\top}xy^{\top}A^{-\top}"),
    (t.scale(t.power(t.Norm(x), -1), x), "x/‖x‖",
     r"\frac{x}{\left\lVert x \right\rVert}"),
    (t.scale(t.power(t.matmul(Tr(x), y), -1), x), "x/(xᵀy)", r"\frac{x}{x^{\top}y}"),
    (t.neg(t.scale(t.power(alpha, -1), X)), "−X/α", r"-\frac{X}{\alpha}"),
    (t.scale(num(2), t.scale(t.power(alpha, -1), X)), "2X/α", r"\frac{2X}{\alpha}"),
    (t.scale(t.scale(alpha, t.power(beta, -1)), X), "(α/β)X",
     r"\left(\frac{\alpha}{\beta}\right)X"),
    (t.scale(t.Number(1 / n), X), "X/n", r"\frac{X}{n}"),
    (t.scale(num(2), t.power(alpha, -1)), "2/α", r"\frac{2}{\alpha}"),
    (t.power(alpha, -1), "1/α", r"\frac{1}{\alpha}"),
    (t.scale(num(2), t.Trace(A)), "2tr(A)", r"2\operatorname{tr}\left(A\right)"),
    (t.scale(S("c"), t.Apply("exp", x)), "c·exp(x)", r"c\exp\left(x\right)"),
    (t.matmul(S("DR", "n", "n"), A), "DR·A", r"\mathit{DR}A"),
    (t.scale(S("p"), S("i")), "p·i", "pi"),
    (t.neg(t.scale(alpha, t.power(t.LogDet(A), 3))), "−α·log det(A)³",
     r"-\alpha\log\det\left(A\right)^{3}"),
    (t.scale(t.scale(alpha, beta), t.Apply("exp", A)), "αβ·exp(A)", r"\alpha\beta\exp\left(A\right)"),
    (t.scale(t.Apply("sqrt", alpha), X), "(√α)X", r"\left(\sqrt{\alpha}\right)X"),
    (t.scale(num(2), t.Apply("sqrt", alpha)), "2√α", r"2\sqrt{\alpha}"),
    # elementwise, mixed with products
    (t.matmul(t.hadamard(a, t.Apply("exp", t.matmul(X, b))), Tr(b)), "(a ⊙ exp(Xb))bᵀ",
     r"\left(a \odot \exp\left(Xb\right)\right)b^{\top}"),
    (t.scale(num(2), t.matmul(Tr(W), t.hadamard(t.matmul(M, sig), sig, t.sub(ones_like(sig), sig)))),
     "2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))",
     r"2W^{\top}\left(\left(M\sigma\left(WX\right)\right) \odot \sigma\left(WX\right) \odot "
     r"\left(1 - \sigma\left(WX\right)\right)\right)"),
    (g_term(), "2Xᵀ((g(XW) − Y) ⊙ g′(XW))",
     r"2X^{\top}\left(\left(g\left(XW\right) - Y\right) \odot g'\left(XW\right)\right)"),
    (t.scale(num(3), t.hadamard(A, B)), "3(A ⊙ B)", r"3\left(A \odot B\right)"),
    (t.neg(t.hadamard(A, B)), "−(A ⊙ B)", r"-\left(A \odot B\right)"),
    (t.hadamard(A, t.HadamardDiv(B, C)), "A ⊙ (B ⊘ C)", r"A \odot \left(B \oslash C\right)"),
    (t.HadamardDiv(t.hadamard(A, B), C), "(A ⊙ B) ⊘ C", r"\left(A \odot B\right) \oslash C"),
    (t.Kron(A, B), "A ⊗ B", r"A \otimes B"),
    (t.Kron(t.neg(A), B), "(−A) ⊗ B", r"\left(-A\right) \otimes B"),
    (t.Kron(A, t.Kron(B, C)), "A ⊗ (B ⊗ C)", r"A \otimes \left(B \otimes C\right)"),
    (t.HadamardPow(A, sympy.Integer(2)), "A^{∘2}", r"A^{\circ 2}"),
    (t.HadamardPow(A, half), "A^{∘1/2}", r"A^{\circ 1/2}"),
    (t.HadamardPow(t.Apply("sigmoid", A), sympy.Integer(2)), "σ²(A)", r"\sigma^{2}\left(A\right)"),
    (t.HadamardPow(t.Apply("g", A, 1), sympy.Integer(2)), "g′(A)^{∘2}",
     r"g'\left(A\right)^{\circ 2}"),
    (t.HadamardPow(t.matmul(A, B), sympy.Integer(-1)), "(AB)^{∘−1}",
     r"\left(AB\right)^{\circ -1}"),
    # postfix
    (Tr(t.matmul(A, B)), "(AB)ᵀ", r"\left(AB\right)^{\top}"),
    (t.inverse(A), "A⁻¹", "A^{-1}"),
    (t.inverse(Tr(A)), "A⁻ᵀ", r"A^{-\top}"),
    (t.Transpose(t.inverse(A)), "(A⁻¹)ᵀ", r"\left(A^{-1}\right)^{\top}"),
    (t.inverse(Tr(t.matmul(A, B))), "(AB)⁻ᵀ", r"\left(AB\right)^{-\top}"),
    (t.matpow(A, 2), "A²", "A^{2}"),
    (t.matpow(A, 12), "A¹²", "A^{12}"),
    (t.matpow(A, -3), "A⁻³", "A^{-3}"),
    (t.matpow(Tr(A), 2), "(Aᵀ)²", r"\left(A^{\top}\right)^{2}"),
    (t.inverse(t.scale(num(2), A)), "(2A)⁻¹", r"\left(2A\right)^{-1}"),
    (t.power(alpha, 3), "α³", r"\alpha^{3}"),
    (t.power(alpha, -2), "α⁻²", r"\alpha^{-2}"),
    (t.power(alpha, half), "α^{1/2}", r"\alpha^{1/2}"),
    (t.power(alpha, sympy.Rational(-3, 2)), "α^{−3/2}", r"\alpha^{-3/2}"),
    (t.power(t.add(alpha, beta), 2), "(α + β)²", r"\left(\alpha + \beta\right)^{2}"),
    (t.power(t.Apply("sqrt", alpha), 3), "(√α)³", r"\left(\sqrt{\alpha}\right)^{3}"),
    (t.power(t.Trace(A), 2), "tr(A)²", r"\operatorname{tr}\left(A\right)^{2}"),
    # functions
    (t.Trace(A), "tr(A)", r"\operatorname{tr}\left(A\right)"),
    (t.Det(A), "det(A)", r"\det\left(A\right)"),
    (t.LogDet(A), "log det(A)", r"\log\det\left(A\right)"),
    (t.Adj(A), "adj(A)", r"\operatorname{adj}\left(A\right)"),
    (t.Apply("exp", t.matmul(X, b)), "exp(Xb)", r"\exp\left(Xb\right)"),
    (t.Apply("log", A), "log(A)", r"\log\left(A\right)"),
    (t.Apply("relu", A), "relu(A)", r"\operatorname{relu}\left(A\right)"),
    (sig, "σ(WX)", r"\sigma\left(WX\right)"),
    (t.Apply("sqrt", alpha), "√α", r"\sqrt{\alpha}"),
    (t.Apply("sqrt", t.add(alpha, beta)), "√(α + β)", r"\sqrt{\alpha + \beta}"),
    (t.Apply("g", A, 1), "g′(A)", r"g'\left(A\right)"),
    (t.Apply("g", A, 2), "g″(A)", r"g''\left(A\right)"),
    (t.Apply("g", A, 3), "g‴(A)", r"g'''\left(A\right)"),
    (t.Apply("g", A, 4), "g⁽⁴⁾(A)", r"g^{(4)}\left(A\right)"),
    (t.Apply("h", A, 0, "x**3 + sin(x)"), "h(A)", r"h\left(A\right)"),
    (t.Call("f", WX), "f(WX)", r"f\left(WX\right)"),
    (t.matmul(t.Grad("f", WX), Tr(X)), "∇f(WX)Xᵀ", r"\nabla f\left(WX\right)X^{\top}"),
    (t.Norm(x), "‖x‖", r"\left\lVert x \right\rVert"),
    (t.Norm(A), "‖A‖_F", r"\left\lVert A \right\rVert_F"),
    (t.Norm(x, 1), "‖x‖₁", r"\left\lVert x \right\rVert_1"),
    (t.power(t.Norm(x), 2), "‖x‖²", r"\left\lVert x \right\rVert^{2}"),
    (t.power(t.Norm(t.sub(X, t.matmul(D, R))), 2), "‖X − DR‖²_F",
     r"\left\lVert X - DR \right\rVert_F^{2}"),
    (t.power(t.Norm(A), 3), "‖A‖_F³", r"\left\lVert A \right\rVert_F^{3}"),
    (t.DiagMat(x), "diag(x)", r"\operatorname{diag}\left(x\right)"),
    (t.DiagVec(A), "diag(A)", r"\operatorname{diag}\left(A\right)"),
    (t.Vec(X), "vec(X)", r"\operatorname{vec}\left(X\right)"),
    (t.triangular(X, "lower"), "tril(X)", r"\operatorname{tril}\left(X\right)"),
    (t.triangular(t.add(A, B), "upper"), "triu(A + B)", r"\operatorname{triu}\left(A + B\right)"),
    (t.Unvec(t.Vec(X), X.shape), "vec⁻¹_{m×n}(vec(X))",
     r"\operatorname{vec}^{-1}_{m \times n}\left(\operatorname{vec}\left(X\right)\right)"),
    (t.KronFactor(t.Kron(A, B), B, "left"), "⟨A ⊗ B, · ⊗ B⟩",
     r"\left\langle A \otimes B, \cdot \otimes B \right\rangle"),
    (t.KronFactor(C, Tr(A), "right"), "⟨C, Aᵀ ⊗ ·⟩",
     r"\left\langle C, A^{\top} \otimes \cdot \right\rangle"),
    (t.add(X, t.broadcast(Tr(S("c", "n")), X.shape)), "X + cᵀ", r"X + c^{\top}"),
    (t.sub(X, ones_like(X)), "X − 1", "X - 1"),
    (t.add(X, t.broadcast(num(-2), X.shape)), "X − 2", "X - 2"),
    (t.add(t.broadcast(num(-2), X.shape), X), "−2 + X", "-2 + X"),
    (t.matmul(t.Commutation(*X.shape), t.Kron(a, b)), "K_{m,n}(a ⊗ b)", r"K_{m,n}\left(a \otimes b\right)"),
    (t.neg(t.Kron(Tr(X), A)), "−Xᵀ ⊗ A", r"-X^{\top} \otimes A"),
    # complex entries
    (t.conj(Zc), "Z̄", r"\bar{Z}"),
    (t.ctranspose(Zc), "Zᴴ", r"Z^{\mathsf{H}}"),
    (t.inverse(t.ctranspose(Wc)), "W⁻ᴴ", r"W^{-\mathsf{H}}"),
    (t.ctranspose(t.sub(t.matmul(Wc, zc), uc)), "(Wz − u)ᴴ", r"\left(Wz - u\right)^{\mathsf{H}}"),
    (t.conj(S("W_1", "n", "n", {"complex"})), "conj(W₁)", r"\operatorname{conj}\left(W_{1}\right)"),
    (t.real_part(Zc), "real(Z)", r"\operatorname{Re}\left(Z\right)"),
    (t.imag_part(t.matmul(Tr(t.conj(zc)), uc)), "imag(zᴴu)", r"\operatorname{Im}\left(z^{\mathsf{H}}u\right)"),
    (t.scale(num("I"), zc), "iz", r"\mathrm{i}z"),
    (t.scale(num("2 - 3*I"), zc), "(2 − 3i)z", r"\left(2 - 3 \mathrm{i}\right)z"),
    (t.conj(t.Differential(zc)), "dz̄", r"\mathrm{d}\bar{z}"),
    # the softmax family and statistics: a vector over its entries, a matrix row by row
    (t.Softmax(t.matmul(A, x)), "softmax(Ax)", r"\operatorname{softmax}\left(Ax\right)"),
    (t.LogSoftmax(x), "logsoftmax(x)", r"\log\operatorname{softmax}\left(x\right)"),
    (t.scale(num(2), t.LogSumExp(x)), "2logsumexp(x)", r"2\operatorname{logsumexp}\left(x\right)"),
    (t.Mean(X), "mean(X)", r"\operatorname{mean}\left(X\right)"),
    (t.sub(t.Var(x), t.Std(x)), "var(x) − std(x)", r"\operatorname{var}\left(x\right) - \operatorname{std}\left(x\right)"),
]

# the spectral words: eigenvalues, the spectral and nuclear norms, named factors, matrix functions
SPECTRAL_CASES = [
    (t.EigenValue(A, "max"), "λ_max(A)", r"\lambda_{\max}\left(A\right)"),
    (t.scale(num(2), t.EigenValue(t.matmul(Tr(X), X), "min")), "2λ_min(XᵀX)",
     r"2\lambda_{\min}\left(X^{\top}X\right)"),
    (t.matmul(t.EigenVector(A, "max"), Tr(t.EigenVector(A, "max"))), "vvᵀ where Av = λ_max(A)v (λ_max simple)",
     r"vv^{\top}\quad\text{where } Av = \lambda_{\max}\left(A\right)v \ (\lambda_{\max}\text{ simple})"),
    (t.add(t.EigenVector(A, "min"), t.matmul(S("w", "n", "n"), t.EigenVector(A, "min"))),
     "eigvec_min(A) + w·eigvec_min(A)", r"v_{\min}\left(A\right) + wv_{\min}\left(A\right)"),
    (t.SpectralNorm(X), "‖X‖₂", r"\left\lVert X \right\rVert_2"),
    (t.NuclearNorm(t.sub(X, t.matmul(D, R))), "‖X − DR‖_*", r"\left\lVert X - DR \right\rVert_*"),
    (t.matmul(t.SingularVector(X, "left"), Tr(t.SingularVector(X, "right"))), "u₁v₁ᵀ where X = UΣVᵀ (σ₁ simple)",
     r"u_{1}v_{1}^{\top}\quad\text{where } X = U\Sigma V^{\top} \ (\sigma_1\text{ simple})"),
    (t.sub(Tr(t.PolarFactor(t.matmul(D, R))), Tr(X)), "(UVᵀ)ᵀ − Xᵀ where DR = UΣVᵀ (full rank)",
     r"\left(UV^{\top}\right)^{\top} - X^{\top}\quad\text{where } DR = U\Sigma V^{\top} \ (\text{full rank})"),
    (t.add(t.PolarFactor(X), t.matmul(S("U", "m", "k"), R)), "polar(X) + UR",
     r"\operatorname{polar}\left(X\right) + UR"),
    (Tr(t.MatrixFunction("expm", A)), "expm(A)ᵀ", r"\operatorname{expm}\left(A\right)^{\top}"),
    (t.add(t.identity(n), Tr(t.MatrixFunction("logm", A))), "I + logm(A)ᵀ",
     r"I + \operatorname{logm}\left(A\right)^{\top}"),
    (t.Frechet("sqrtm", Tr(A), B), "L_sqrtm(Aᵀ, B)", r"L_{\operatorname{sqrtm}}\left(A^{\top}, B\right)"),
    (t.Resolvent(A, "max"), "pinv_max(A)", r"\operatorname{pinv}_{\max}\left(A\right)"),
    (t.FrechetKron("expm", A), "K_expm(A)", r"K_{\operatorname{expm}}\left(A\right)"),
    (t.FrechetKron("logm", A, (B,)), "K2_logm(A, B)", r"K^{(2)}_{\operatorname{logm}}\left(A, B\right)"),
]
CASES += SPECTRAL_CASES


@pytest.mark.parametrize("e, text, latex", CASES, ids=[c[1] for c in CASES])
def test_printed_forms(e, text, latex):
    assert to_unicode(e) == text
    assert str(e) == text
    assert to_latex(e) == latex
    assert e.latex() == latex
    assert e._repr_latex_() == f"${latex}$"


NODE_CLASSES = [
    cls for _, cls in inspect.getmembers(t, inspect.isclass)
    if issubclass(cls, t.Expr) and cls is not t.Expr
]


def test_cases_cover_every_node_class():
    seen = {type(n) for e, _, _ in CASES for n in t.walk(e)}
    assert set(NODE_CLASSES) <= seen, set(NODE_CLASSES) - seen
    assert len(NODE_CLASSES) == 52


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_every_node_class_has_a_printer(cls):
    assert callable(getattr(UnicodePrinter, f"_print_{cls.__name__}"))
    assert callable(getattr(LatexPrinter, f"_print_{cls.__name__}"))


def test_unknown_node_class_raises_type_error_naming_it():
    @t.node
    class Mystery(t.Expr):
        arg: t.Expr

        def _shape(self):
            return self.arg.shape

    for printer in (to_unicode, to_latex):
        with pytest.raises(TypeError, match="Mystery"):
            printer(t.add(A, Mystery(B)))


def test_sigmoid_is_spelled_out_when_sigma_is_a_symbol():
    e = t.scale(S("σ"), t.Apply("sigmoid", A))
    assert str(e) == "σ·sigmoid(A)"
    assert str(t.Apply("sigmoid", A)) == "σ(A)"


def test_deep_trees_print_without_deep_recursion():
    e = x
    for _ in range(3000):
        e = t.Apply("exp", e)
    assert str(e) == "exp(" * 3000 + "x" + ")" * 3000
    assert e.latex().startswith(r"\exp\left(\exp\left(")


def test_precedence_table_is_shared():
    assert set(PRECEDENCE) <= set(NODE_CLASSES)
    assert LatexPrinter.parenthesize is UnicodePrinter.parenthesize


def test_shared_subtrees_print_once_and_identically():
    s = t.Apply("sigmoid", WX)
    e = t.hadamard(s, s, s)
    assert str(e) == "σ(WX) ⊙ σ(WX) ⊙ σ(WX)"


# ---- LaTeX is well formed -------------------------------------------------------------------


def _balanced(latex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _left_right_paired(latex: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\(left|right)(?![A-Za-z])", latex):
        depth += 1 if m[1] == "left" else -1
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("e", [c[0] for c in CASES], ids=[c[1] for c in CASES])
def test_latex_is_balanced_and_ascii(e):
    latex = to_latex(e)
    assert _balanced(latex), latex
    assert _left_right_paired(latex), latex
    assert latex.isascii(), latex
    for command in re.findall(r"\\([A-Za-z]+)", latex):  # no control word glued to a letter
        assert command in KNOWN_COMMANDS, (command, latex)


KNOWN_COMMANDS = {
    "left", "right", "top", "odot", "oslash", "otimes", "operatorname", "det", "log", "exp", "sin",
    "cos", "tan", "tanh", "sigma", "sqrt", "lVert", "rVert", "mathbf", "nabla", "mathrm", "tfrac",
    "frac", "alpha", "beta", "lambda", "Sigma", "mathit", "circ", "langle", "rangle", "cdot", "times", "bar", "mathsf",
    "max", "min", "quad", "text",
}


def test_latex_checks_detect_imbalance():
    assert not _balanced(r"\frac{x}{y")
    assert not _left_right_paired(r"\left(x")
    assert _balanced(r"\{x\}") and _left_right_paired(r"\left\lVert x \right\rVert")


# ---- round trip through the parser ----------------------------------------------------------


def _shapes(e: t.Expr) -> dict:
    out = {}
    for s in e.free_symbols:
        r, c = s.dims
        out[s.name] = () if r == c == 1 else (str(r),) if c == 1 else (str(r), str(c))
    return out


def _functions(e: t.Expr) -> dict:
    out = {}
    for node in t.walk(e):
        if isinstance(node, t.Apply) and node.name not in matcalc.language.vocabulary.ELEMENTWISE:
            out[node.name] = node.formula or "elementwise"
        elif isinstance(node, (t.Call, t.Grad)):
            out[node.name] = "scalar"
    return out


ROUND_TRIP = [c[0] for c in CASES if c[1] in {
    "AᵀCᵀXBᵀ + CAXB", "A − B", "A − 2B", "−A + B", "A − (B + C)", "α − 1", "1 − tanh²(Z)",
    "2(DR − X)Rᵀ", "−X", "½X", "−⅓X", "(2/7)X", "−(2/7)X", "(aᵀXb)X", "2αX", "αAB", "det(X)X⁻ᵀ",
    "−A⁻ᵀxyᵀA⁻ᵀ", "x/‖x‖", "x/(xᵀy)", "−X/α", "2X/α", "(α/β)X", "2/α", "1/α", "2tr(A)", "c·exp(x)",
    "2√α", "(a ⊙ exp(Xb))bᵀ", "2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))", "2Xᵀ((g(XW) − Y) ⊙ g′(XW))",
    "3(A ⊙ B)", "−(A ⊙ B)", "A ⊙ (B ⊘ C)", "(A ⊙ B) ⊘ C", "A ⊗ B", "(−A) ⊗ B", "A^{∘2}", "A^{∘1/2}",
    "σ²(A)", "(AB)ᵀ", "A⁻¹", "A⁻ᵀ", "(A⁻¹)ᵀ", "(AB)⁻ᵀ", "A²", "A⁻³", "(2A)⁻¹", "α³", "α⁻²",
    "α^{1/2}", "(α + β)²", "tr(A)²", "log det(A)", "adj(A)", "relu(A)", "√(α + β)", "g′(A)",
    "g″(A)", "f(WX)", "∇f(WX)Xᵀ", "‖x‖₁", "‖x‖²", "‖X − DR‖²_F", "diag(x)", "diag(A)", "vec(X)", "tril(X)", "triu(A + B)",
    "W₁", "x″₁", "x_i", "−α·log det(A)³", "αβ·exp(A)", "p·i", "W_{out}", "x′", "Σ", "X + cᵀ", "X − 1", "X − 2", "−2 + X",
    "I_n", "𝟙_n", "0_{m×n}", "0_n", "𝟙_{m×n}", "−2𝟙_{m×n}", "α𝟙_{m×n}", "cᵀ + 0_{m×n}", "K_{m,n}", "tr(A)I_n",
    "A + I", "vec⁻¹_{m×n}(vec(X))", "tr(I_n)", "1/tr(I_n)", "2tr(I_n)", "X/tr(I_n)", "⟨A ⊗ B, · ⊗ B⟩", "⟨C, Aᵀ ⊗ ·⟩", "K_{m,n}(a ⊗ b)",
}] + [c[0] for c in SPECTRAL_CASES]


def test_round_trip_list_is_large():
    assert len(ROUND_TRIP) >= 60


@pytest.mark.parametrize("e", ROUND_TRIP, ids=[to_unicode(e) for e in ROUND_TRIP])
def test_unicode_parses_back_to_the_same_tree(e):
    parser = pytest.importorskip("matcalc.expr.parse")
    text = to_unicode(e)
    back = parser.parse(text, shapes=_shapes(e), functions=_functions(e) or None)
    assert back == e, f"{text!r} parsed as {back.structure()}, not {e.structure()}"


def test_sigma_symbol_round_trips():
    parser = pytest.importorskip("matcalc.expr.parse")
    e = t.scale(S("σ"), t.Apply("sigmoid", A))
    assert parser.parse(str(e), shapes={"σ": (), "A": ("n", "n")}) == e


def test_declared_multi_letter_name_round_trips():
    parser = pytest.importorskip("matcalc.expr.parse")
    DR = S("DR", "n", "n")
    for e in (t.matmul(DR, A), t.matmul(S("D", "n", "n"), S("R", "n", "n"), DR)):
        shapes = {"DR": ("n", "n"), "A": ("n", "n"), "D": ("n", "n"), "R": ("n", "n")}
        assert parser.parse(to_unicode(e), shapes=shapes) == e
