"""The golden table: gradients as matcalc prints them, with the textbook's own answer.

One row per gradient: (expression, variable, declarations, matcalc's printed answer, the
textbook's answer).  Sources: the Matrix Cookbook (Petersen & Pedersen, §2, 2012 edition; the
comment names the section), the worked examples of the source material (seeds 000–003) and the
standard objectives of machine learning (logistic, Poisson and softmax regression, NMF, entropic
optimal transport, Gaussian likelihoods).
Layout: the gradient G has the variable's shape, df = tr(Gᵀ dX).  Used by tests/test_golden.py
(printed form and numeric check of both answers) and bench/bench_simplify.py (sizes).
"""

ROWS = [
    ('aᵀx', 'x', {}, 'a', 'a'),  # §2.4.1 aᵀx wrt x
    ('xᵀa', 'x', {}, 'a', 'a'),  # §2.4.1 xᵀa wrt x
    ('aᵀXb', 'X', {}, 'abᵀ', 'abᵀ'),  # §2.4.1 aᵀXb wrt X
    ('aᵀXᵀb', 'X', {}, 'baᵀ', 'baᵀ'),  # §2.4.1 aᵀXᵀb wrt X
    ('aᵀXa', 'X', {}, 'aaᵀ', 'aaᵀ'),  # §2.4.1 aᵀXa wrt X
    ('aᵀXᵀa', 'X', {}, 'aaᵀ', 'aaᵀ'),  # §2.4.1 aᵀXᵀa wrt X
    ('bᵀXᵀXc', 'X', {}, 'X(bcᵀ + cbᵀ)', 'X(bcᵀ + cbᵀ)'),  # §2.4.2 bᵀXᵀXc wrt X
    ('(Bx + b)ᵀC(Dx + d)', 'x', {}, 'BᵀC(Dx + d) + DᵀCᵀ(Bx + b)', 'BᵀC(Dx + d) + DᵀCᵀ(Bx + b)'),  # §2.4.2 (Bx + b)ᵀC(Dx + d) wrt x
    ('xᵀBx', 'x', {}, '(B + Bᵀ)x', '(B + Bᵀ)x'),  # §2.4.2 xᵀBx wrt x
    ('bᵀXᵀDXc', 'X', {}, 'DXcbᵀ + DᵀXbcᵀ', 'DᵀXbcᵀ + DXcbᵀ'),  # §2.4.2 bᵀXᵀDXc wrt X
    ('(Xb + c)ᵀD(Xb + c)', 'X', {}, '(D + Dᵀ)(Xb + c)bᵀ', '(D + Dᵀ)(Xb + c)bᵀ'),  # §2.4.2 (Xb + c)ᵀD(Xb + c) wrt X
    ('(x − As)ᵀW(x − As)', 's', {'domains': {'W': 'symmetric'}}, '2AᵀW(As − x)', '−2AᵀW(x − As)'),  # §2.4.2 (x − As)ᵀW(x − As) wrt s
    ('(x − s)ᵀW(x − s)', 'x', {'domains': {'W': 'symmetric'}}, '2W(x − s)', '2W(x − s)'),  # §2.4.2 (x − s)ᵀW(x − s) wrt x
    ('(x − s)ᵀW(x − s)', 's', {'domains': {'W': 'symmetric'}}, '2W(s − x)', '−2W(x − s)'),  # §2.4.2 (x − s)ᵀW(x − s) wrt s
    ('(x − As)ᵀW(x − As)', 'x', {'domains': {'W': 'symmetric'}}, '2W(x − As)', '2W(x − As)'),  # §2.4.2 (x − As)ᵀW(x − As) wrt x
    ('(x − As)ᵀW(x − As)', 'A', {'domains': {'W': 'symmetric'}}, '2W(As − x)sᵀ', '−2W(x − As)sᵀ'),  # §2.4.2 (x − As)ᵀW(x − As) wrt A
    ('xᵀx', 'x', {}, '2x', '2x'),  # §2.6 xᵀx wrt x
    ('‖x‖²', 'x', {}, '2x', '2x'),  # §2.6 ‖x‖² wrt x
    ('‖Ax − b‖²', 'x', {}, '2Aᵀ(Ax − b)', '2Aᵀ(Ax − b)'),  # least squares ‖Ax − b‖² wrt x
    ('(xᵀAx)/(xᵀx)', 'x', {'domains': {'A': 'symmetric'}}, '2(Ax − (xᵀAx)x/(xᵀx))/(xᵀx)', '2(Ax − ((xᵀAx)/(xᵀx))x)/(xᵀx)'),  # Rayleigh quotient (xᵀAx)/(xᵀx) wrt x
    ('aᵀX³b', 'X', {'shapes': {'X': ('n', 'n')}}, '(Xᵀ)²abᵀ + XᵀabᵀXᵀ + abᵀ(Xᵀ)²', 'abᵀ(X²)ᵀ + XᵀabᵀXᵀ + (X²)ᵀabᵀ'),  # §2.4.3 aᵀX³b wrt X
    ('tr(X)', 'X', {'shapes': {'X': ('n', 'n')}}, 'I_n', 'I'),  # §2.5.1 tr(X) wrt X
    ('tr(XA)', 'X', {}, 'Aᵀ', 'Aᵀ'),  # §2.5.1 tr(XA) wrt X
    ('tr(AXB)', 'X', {}, 'AᵀBᵀ', 'AᵀBᵀ'),  # §2.5.1 tr(AXB) wrt X
    ('tr(AXᵀB)', 'X', {}, 'BA', 'BA'),  # §2.5.1 tr(AXᵀB) wrt X
    ('tr(XᵀA)', 'X', {}, 'A', 'A'),  # §2.5.1 tr(XᵀA) wrt X
    ('tr(AXᵀ)', 'X', {}, 'A', 'A'),  # §2.5.1 tr(AXᵀ) wrt X
    ('tr(A ⊗ X)', 'X', {'shapes': {'X': ('n', 'n'), 'A': ('k', 'k')}}, 'tr(A)I_n', 'tr(A)I'),  # §2.5.1 tr(A ⊗ X) wrt X
    ('tr(X²)', 'X', {'shapes': {'X': ('n', 'n')}}, '2Xᵀ', '2Xᵀ'),  # §2.5.2 tr(X²) wrt X
    ('tr(X²B)', 'X', {'shapes': {'X': ('n', 'n')}}, 'BᵀXᵀ + XᵀBᵀ', '(XB + BX)ᵀ'),  # §2.5.2 tr(X²B) wrt X
    ('tr(XᵀBX)', 'X', {}, '(B + Bᵀ)X', 'BX + BᵀX'),  # §2.5.2 tr(XᵀBX) wrt X
    ('tr(BXXᵀ)', 'X', {}, '(B + Bᵀ)X', '(B + Bᵀ)X'),  # §2.5.2 tr(BXXᵀ) wrt X
    ('tr(XXᵀB)', 'X', {}, '(B + Bᵀ)X', 'BX + BᵀX'),  # §2.5.2 tr(XXᵀB) wrt X
    ('tr(XBXᵀ)', 'X', {}, 'X(B + Bᵀ)', 'XBᵀ + XB'),  # §2.5.2 tr(XBXᵀ) wrt X
    ('tr(BXᵀX)', 'X', {}, 'X(B + Bᵀ)', 'XBᵀ + XB'),  # §2.5.2 tr(BXᵀX) wrt X
    ('tr(XᵀXB)', 'X', {}, 'X(B + Bᵀ)', 'XBᵀ + XB'),  # §2.5.2 tr(XᵀXB) wrt X
    ('tr(AXBX)', 'X', {}, 'AᵀXᵀBᵀ + BᵀXᵀAᵀ', 'AᵀXᵀBᵀ + BᵀXᵀAᵀ'),  # §2.5.2 tr(AXBX) wrt X
    ('tr(XᵀX)', 'X', {}, '2X', '2X'),  # §2.5.2 tr(XᵀX) wrt X
    ('tr(XXᵀ)', 'X', {}, '2X', '2X'),  # §2.5.2 tr(XXᵀ) wrt X
    ('tr(BᵀXᵀCXB)', 'X', {}, '(C + Cᵀ)XBBᵀ', 'CᵀXBBᵀ + CXBBᵀ'),  # §2.5.2 tr(BᵀXᵀCXB) wrt X
    ('tr(XᵀBXC)', 'X', {}, 'BXC + BᵀXCᵀ', 'BXC + BᵀXCᵀ'),  # §2.5.2 tr(XᵀBXC) wrt X
    ('tr(AXBXᵀC)', 'X', {}, 'AᵀCᵀXBᵀ + CAXB', 'AᵀCᵀXBᵀ + CAXB'),  # §2.5.2 tr(AXBXᵀC) wrt X
    ('tr((AXB + C)(AXB + C)ᵀ)', 'X', {}, '2Aᵀ(AXB + C)Bᵀ', '2Aᵀ(AXB + C)Bᵀ'),  # §2.5.2 tr((AXB + C)(AXB + C)ᵀ) wrt X
    ('tr(X ⊗ X)', 'X', {'shapes': {'X': ('n', 'n')}}, '2tr(X)I_n', '2tr(X)I'),  # §2.5.2 tr(X ⊗ X) wrt X
    ('tr(X³)', 'X', {'shapes': {'X': ('n', 'n')}}, '3(Xᵀ)²', '3(X²)ᵀ'),  # §2.5.3 tr(X³) wrt X
    ('tr(X⁴)', 'X', {'shapes': {'X': ('n', 'n')}}, '4(Xᵀ)³', '4(X³)ᵀ'),  # §2.5.3 tr(X⁴) wrt X
    ('tr(AX³)', 'X', {'shapes': {'X': ('n', 'n')}}, 'Aᵀ(Xᵀ)² + (Xᵀ)²Aᵀ + XᵀAᵀXᵀ', '(AX²)ᵀ + (XAX)ᵀ + (X²A)ᵀ'),  # §2.5.3 tr(AX³) wrt X
    ('aᵀX⁻¹b', 'X', {}, '−X⁻ᵀabᵀX⁻ᵀ', '−X⁻ᵀabᵀX⁻ᵀ'),  # §2.2 aᵀX⁻¹b wrt X
    ('tr(AX⁻¹B)', 'X', {}, '−X⁻ᵀAᵀBᵀX⁻ᵀ', '−X⁻ᵀAᵀBᵀX⁻ᵀ'),  # §2.5.4 tr(AX⁻¹B) wrt X
    ('tr((X + A)⁻¹)', 'X', {}, '−(Aᵀ + Xᵀ)⁻²', '−((X + A)⁻¹(X + A)⁻¹)ᵀ'),  # §2.2 tr((X + A)⁻¹) wrt X
    ('tr(X⁻¹)', 'X', {}, '−(Xᵀ)⁻²', '−(X⁻²)ᵀ'),  # §2.5.3 tr(X⁻¹) wrt X
    ('tr((XᵀCX)⁻¹A)', 'X', {'domains': {'C': 'symmetric'}, 'shapes': {'X': (5, 3)}}, '−CX(XᵀCX)⁻¹(A + Aᵀ)(XᵀCX)⁻¹', '−CX(XᵀCX)⁻¹(A + Aᵀ)(XᵀCX)⁻¹'),  # §2.5.4 tr((XᵀCX)⁻¹A) wrt X
    ('tr((XᵀCX)⁻¹(XᵀBX))', 'X', {'domains': {'B': 'symmetric', 'C': 'symmetric'}, 'shapes': {'X': (5, 3)}}, '2(I − CX(XᵀCX)⁻¹Xᵀ)BX(XᵀCX)⁻¹', '−2CX(XᵀCX)⁻¹XᵀBX(XᵀCX)⁻¹ + 2BX(XᵀCX)⁻¹'),  # §2.5.4 tr((XᵀCX)⁻¹(XᵀBX)) wrt X
    ('tr((A + XᵀCX)⁻¹(XᵀBX))', 'X', {'domains': {'A': 'symmetric', 'B': 'symmetric', 'C': 'symmetric'}, 'shapes': {'X': (5, 3)}}, '2(I − CX(A + XᵀCX)⁻¹Xᵀ)BX(A + XᵀCX)⁻¹', '−2CX(A + XᵀCX)⁻¹XᵀBX(A + XᵀCX)⁻¹ + 2BX(A + XᵀCX)⁻¹'),  # §2.5.4 tr((A + XᵀCX)⁻¹(XᵀBX)) wrt X
    ('det(X)', 'X', {}, 'det(X)X⁻ᵀ', 'det(X)X⁻ᵀ'),  # §2.1 det(X) wrt X
    ('det(AXB)', 'X', {'shapes': {'A': ('n', 'n'), 'X': ('n', 'n'), 'B': ('n', 'n')}}, 'det(AXB)X⁻ᵀ', 'det(AXB)X⁻ᵀ'),  # §2.1 det(AXB) wrt X
    ('det(XᵀAX)', 'X', {'shapes': {'X': ('n', 'n'), 'A': ('n', 'n')}}, '2det(XᵀAX)X⁻ᵀ', '2det(XᵀAX)X⁻ᵀ'),  # §2.1 X square det(XᵀAX) wrt X
    ('det(XᵀAX)', 'X', {'domains': {'A': 'symmetric'}, 'shapes': {'X': (5, 3)}}, '2det(XᵀAX)AX(XᵀAX)⁻¹', '2det(XᵀAX)AX(XᵀAX)⁻¹'),  # §2.1 A symmetric det(XᵀAX) wrt X
    ('det(XᵀAX)', 'X', {'shapes': {'X': (5, 3)}}, 'det(XᵀAX)(AX(XᵀAX)⁻¹ + AᵀX(XᵀAᵀX)⁻¹)', 'det(XᵀAX)(AX(XᵀAX)⁻¹ + AᵀX(XᵀAᵀX)⁻¹)'),  # §2.1 general det(XᵀAX) wrt X
    ('det(XᵀX)', 'X', {'shapes': {'X': (5, 3)}}, '2det(XᵀX)X(XᵀX)⁻¹', '2det(XᵀX)X(XᵀX)⁻¹'),  # §2.1 det(XᵀX) wrt X
    ('log det(XᵀX)', 'X', {'shapes': {'X': (5, 3)}}, '2X(XᵀX)⁻¹', '2X(XᵀX)⁻¹'),  # §2.1 log det(XᵀX) wrt X
    ('log det(X)', 'X', {'domains': {'X': 'spd'}}, 'X⁻¹', 'X⁻ᵀ'),  # §2.1 log det(X) wrt X
    ('log(|det(X)|)', 'X', {'domains': {'X': 'invertible'}}, 'X⁻ᵀ', 'X⁻ᵀ'),  # §2.1 log(|det(X)|) wrt X
    ('det(X³)', 'X', {}, '3det(X³)X⁻ᵀ', '3det(X³)X⁻ᵀ'),  # §2.1 det(X³) wrt X
    ('det(X⁻¹)', 'X', {}, '−X⁻ᵀ/det(X)', '−det(X⁻¹)X⁻ᵀ'),  # §2.2 det(X⁻¹) wrt X
    ('tr(adj(X))', 'X', {}, 'det(X)(tr(X⁻¹)X⁻ᵀ − (Xᵀ)⁻²)', 'det(X)(tr(X⁻¹)X⁻ᵀ − X⁻ᵀX⁻ᵀ)'),  # adjugate tr(adj(X)) wrt X
    ('‖x − a‖₂', 'x', {}, '(x − a)/‖x − a‖', '(x − a)/‖x − a‖₂'),  # §2.6 ‖x − a‖₂ wrt x
    ('‖X‖²_F', 'X', {}, '2X', '2X'),  # §2.7 ‖X‖²_F wrt X
    ('‖X‖_F', 'X', {}, 'X/‖X‖_F', 'X/‖X‖_F'),  # §2.7 ‖X‖_F wrt X
    ('‖x‖₁', 'x', {}, 'sign(x)', 'sign(x)'),  # ℓ1 norm ‖x‖₁ wrt x
    ('aᵀexp(Xb)', 'X', {}, '(a ⊙ exp(Xb))bᵀ', '(a ⊙ exp(Xb))bᵀ'),  # elementwise aᵀexp(Xb) wrt X
    ('sum(exp(X))', 'X', {}, 'exp(X)', 'exp(X)'),  # elementwise sum(exp(X)) wrt X
    ('𝟙ᵀlog(x)', 'x', {'domains': {'x': 'positive'}}, '1 ⊘ x', '𝟙 ⊘ x'),  # elementwise 𝟙ᵀlog(x) wrt x
    ('aᵀσ(x)', 'x', {}, 'a ⊙ σ(x) ⊙ (1 − σ(x))', 'a ⊙ σ(x) ⊙ (𝟙 − σ(x))'),  # elementwise aᵀσ(x) wrt x
    ('tr(Aᵀ(X ⊙ B))', 'X', {}, 'A ⊙ B', 'A ⊙ B'),  # Hadamard tr(Aᵀ(X ⊙ B)) wrt X
    ('sum(X ⊙ X)', 'X', {}, '2X', '2X'),  # Hadamard sum(X ⊙ X) wrt X
    ('sum(X.^3)', 'X', {}, '3X^{∘2}', '3X.^2'),  # elementwise sum(X.^3) wrt X
    ('‖X − DR‖²_F', 'D', {}, '2(DR − X)Rᵀ', '2(DR − X)Rᵀ'),  # 002 dictionary learning wrt D
    ('‖X − DR‖²_F', 'R', {}, '2Dᵀ(DR − X)', '2Dᵀ(DR − X)'),  # 002 dictionary learning wrt R
    ('‖g(XW) − Y‖²_F', 'W', {'functions': {'g': 'elementwise'}}, '2Xᵀ((g(XW) − Y) ⊙ g′(XW))', '2Xᵀ((g(XW) − Y) ⊙ g′(XW))'),  # 002 network, g elementwise
    ('‖tanh(XW) − Y‖²_F', 'W', {}, '2Xᵀ((tanh(XW) − Y) ⊙ (1 − tanh²(XW)))', '2Xᵀ((tanh(XW) − Y) ⊙ (1 − tanh²(XW)))'),  # 002 network, g = tanh
    ('‖XW‖²_F', 'X', {}, '2XWWᵀ', '2XWWᵀ'),  # 002 right multiplication
    ('‖WX‖²_F', 'X', {}, '2WᵀWX', '2WᵀWX'),  # 002 left multiplication
    ('sum(X ⊙ C)', 'X', {}, 'C', 'C'),  # 002 Hadamard with a constant
    ('sum(g(X))', 'X', {'functions': {'g': 'elementwise'}}, 'g′(X)', 'g′(X)'),  # 002 elementwise g
    ('aᵀGa', 'G', {}, 'aaᵀ', 'aaᵀ'),  # 002 quadratic form
    ('f(AXB)', 'X', {'functions': {'f': 'scalar'}}, 'Aᵀ∇f(AXB)Bᵀ', 'Aᵀ∇f(AXB)Bᵀ'),  # 003 composition Y = AXB
    ('‖Xw − y‖²', 'w', {}, '2Xᵀ(Xw − y)', '2Xᵀ(Xw − y)'),  # 003 linear regression
    ('f(WX)', 'W', {'functions': {'f': 'scalar'}}, '∇f(WX)Xᵀ', '∇f(WX)Xᵀ'),  # 000 backprop D = WX wrt W
    ('f(WX)', 'X', {'functions': {'f': 'scalar'}}, 'Wᵀ∇f(WX)', 'Wᵀ∇f(WX)'),  # 000 backprop D = WX wrt X
    ('xᵀAx', 'x', {}, '(A + Aᵀ)x', '(A + Aᵀ)x'),  # §2.4.2 quadratic form
    ('xᵀAx', 'x', {'domains': 'A: symmetric'}, '2Ax', '2Ax'),  # §2.4.2 quadratic form, A symmetric
    ('(xᵀAx)/(xᵀx)', 'x', {}, '((A + Aᵀ)x − 2(xᵀAx)x/(xᵀx))/(xᵀx)', '(A + Aᵀ)x/(xᵀx) − 2(xᵀAx)x/(xᵀx)²'),  # Rayleigh quotient, general A
    ('log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)', 'Σ', {'shapes': 'μ: n, x: n', 'domains': 'Σ: symmetric'}, 'Σ⁻¹ − Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹', 'Σ⁻¹ − Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹'),  # Gaussian log-likelihood
    ('log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)', 'Σ', {'shapes': 'μ: n, x: n'}, 'Σ⁻ᵀ − Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ', 'Σ⁻ᵀ − Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ'),  # Gaussian, Σ unstructured
    ('log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)', 'μ', {'shapes': 'μ: n, x: n', 'domains': 'Σ: symmetric'}, '2Σ⁻¹(μ − x)', '−2Σ⁻¹(x − μ)'),  # Gaussian wrt μ
    ('(x − μ)ᵀΣ⁻¹(x − μ)', 'x', {'shapes': 'μ: n, x: n'}, '(Σ⁻¹ + Σ⁻ᵀ)(x − μ)', '(Σ⁻¹ + Σ⁻ᵀ)(x − μ)'),  # Mahalanobis distance
    ('‖x‖₂', 'x', {}, 'x/‖x‖', 'x/‖x‖₂'),  # §2.6 Euclidean norm
    ('tr(σ(WX)ᵀMσ(WX))', 'X', {'domains': 'M: symmetric'}, '2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))', 'Wᵀ((2Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))'),  # 003 warm-up 3 wrt X
    ('tr(σ(WX)ᵀMσ(WX))', 'W', {'domains': 'M: symmetric'}, '2((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))Xᵀ', '((2Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))Xᵀ'),  # 003 warm-up 3 wrt W
    ('‖h(XW) − Y‖²_F', 'W', {'functions': {'h': 'x**3 + sin(x)'}}, '2Xᵀ((h(XW) − Y) ⊙ (3(XW)^{∘2} + cos(XW)))', '2Xᵀ((h(XW) − Y) ⊙ (3(XW).^2 + cos(XW)))'),  # 002 network, g by formula
    ('tr(diag(a)Xdiag(c)B)', 'X', {}, '(acᵀ) ⊙ Bᵀ', 'diag(a)Bᵀdiag(c)'),  # diagonal scaling on both sides
    ('tr(diag(a)XB)', 'X', {}, 'a ⊙ Bᵀ', 'diag(a)Bᵀ'),  # diagonal scaling of rows
    ('aᵀdiag(x)b', 'x', {}, 'a ⊙ b', 'a ⊙ b'),  # diagonal matrix of the variable
    ('tr(A tril(X))', 'X', {}, 'tril(Aᵀ)', 'tril(Aᵀ)'),  # lower part: ⟨C, tril(X)⟩ = ⟨tril(C), X⟩
    ('‖triu(X) − B‖²_F', 'X', {}, '2(triu(X) − triu(B))', '2triu(triu(X) − B)'),  # upper part in a least-squares fit
    ('sum(tanh(X))', 'X', {}, '1 − tanh²(X)', '1 − tanh(X).^2'),  # derivative of tanh
    ('sum(σ(X))', 'X', {}, 'σ(X) ⊙ (1 − σ(X))', 'σ(X) ⊙ (1 − σ(X))'),  # derivative of the sigmoid
    ('sum(log(X))', 'X', {}, '1 ⊘ X', '1 ⊘ X'),  # derivative of log
    ('sum(softplus(X))', 'X', {}, 'σ(X)', 'σ(X)'),  # derivative of softplus
    ('sum(log(1 + exp(X)))', 'X', {}, 'σ(X)', 'σ(X)'),  # softplus written out: exp(X) ⊘ (1 + exp(X)) = σ(X)
    ('sum(log(1 + exp(−X)))', 'X', {}, '−σ(−X)', '−σ(−X)'),  # logistic loss, elementwise
    ('sum(sin(X))', 'X', {}, 'cos(X)', 'cos(X)'),  # derivative of sin
    ('sum(exp(X) ⊙ X)', 'X', {}, 'exp(X) ⊙ (1 + X)', 'X ⊙ exp(X) + exp(X)'),  # product rule, Hadamard
    ('log(1 + exp(−yᵀXw))', 'w', {}, '−σ(−yᵀXw)Xᵀy', '−σ(−yᵀXw)Xᵀy'),  # logistic loss
    ('‖Xw − y‖² + λ‖w‖²', 'w', {}, '2(Xᵀ(Xw − y) + λw)', '2Xᵀ(Xw − y) + 2λw'),  # ridge regression
    ('(aᵀx)²', 'x', {}, '2(aᵀx)a', '2(aᵀx)a'),  # square of a linear form
    ('exp(aᵀx)', 'x', {}, 'exp(aᵀx)a', 'exp(aᵀx)a'),  # exponential of a linear form
    ('log(xᵀAx)', 'x', {}, '(A + Aᵀ)x/(xᵀAx)', '(A + Aᵀ)x/(xᵀAx)'),  # log of a quadratic form
    ('‖AXB − C‖²_F', 'X', {}, '2Aᵀ(AXB − C)Bᵀ', '2Aᵀ(AXB − C)Bᵀ'),  # matrix least squares
    ('‖C + bᵀ‖²_F', 'b', {'shapes': 'C: m×n, b: n'}, '2(Cᵀ + b)𝟙', '2(C + bᵀ)ᵀ𝟙'),  # 002 row broadcast
    ('sum(G)', 'G', {'shapes': 'G: m×n'}, '𝟙_m𝟙_nᵀ', '𝟙𝟙ᵀ'),  # 002 sum of entries
    ('(aᵀXb)(cᵀXd)', 'X', {}, '(cᵀXd)abᵀ + (aᵀXb)cdᵀ', '(cᵀXd)abᵀ + (aᵀXb)cdᵀ'),  # 001 product rule, scalars
    ('tr((AX)(XB))', 'X', {}, 'AᵀBᵀXᵀ + XᵀAᵀBᵀ', 'AᵀBᵀXᵀ + XᵀAᵀBᵀ'),  # 001 product rule, matrices
    # machine-learning objectives: the textbook's gradient in the books' own notation
    ('−yᵀlog(σ(Xw)) − (𝟙 − y)ᵀlog(𝟙 − σ(Xw))', 'w', {}, 'Xᵀ(σ(Xw) − y)', 'Xᵀ(σ(Xw) − y)'),  # logistic regression, binary cross-entropy
    ('−yᵀlog(σ(Xw)) − (𝟙 − y)ᵀlog(𝟙 − σ(Xw)) + λ‖w‖²', 'w', {}, 'Xᵀ(σ(Xw) − y) + 2λw', 'Xᵀ(σ(Xw) − y) + 2λw'),  # logistic regression, L2 penalty
    ('−y·log(σ(aᵀx)) − (1 − y)·log(1 − σ(aᵀx))', 'x', {'shapes': 'y: scalar'}, '(σ(aᵀx) − y)a', '(σ(aᵀx) − y)a'),  # logistic loss of one example
    ('sum(log(σ(y ⊙ (Xw))))', 'w', {}, 'Xᵀ(y ⊙ (1 − σ(y ⊙ (Xw))))', 'Xᵀ(y ⊙ (𝟙 − σ(y ⊙ (Xw))))'),  # logistic log-likelihood, labels ±1
    ('𝟙ᵀsoftplus(Xw) − yᵀXw', 'w', {}, 'Xᵀ(σ(Xw) − y)', 'Xᵀ(σ(Xw) − y)'),  # logistic regression, softplus form
    ('𝟙ᵀexp(Xw) − yᵀXw', 'w', {}, 'Xᵀ(exp(Xw) − y)', 'Xᵀ(exp(Xw) − y)'),  # Poisson regression
    ('‖V − WH‖²_F', 'W', {}, '2(WH − V)Hᵀ', '2(WH − V)Hᵀ'),  # NMF, Frobenius loss wrt W
    ('‖V − WH‖²_F', 'H', {}, '2Wᵀ(WH − V)', '2Wᵀ(WH − V)'),  # NMF, Frobenius loss wrt H
    ('sum(V ⊙ log(V ⊘ (WH)) − V + WH)', 'W', {'domains': 'W: positive, H: positive, V: positive'}, '(1 − (V ⊘ (WH)))Hᵀ', '(𝟙𝟙ᵀ − V ⊘ (WH))Hᵀ'),  # NMF, KL divergence wrt W
    ('sum(V ⊙ log(V ⊘ (WH)) − V + WH)', 'H', {'domains': 'W: positive, H: positive, V: positive'}, 'Wᵀ(1 − (V ⊘ (WH)))', 'Wᵀ(𝟙𝟙ᵀ − V ⊘ (WH))'),  # NMF, KL divergence wrt H
    ('ε·tr(Pᵀlog(P)) − ε·sum(P) + tr(CᵀP)', 'P', {'domains': 'P: positive'}, 'C + ε·log(P)', 'ε·log(P) + C'),  # entropic optimal transport
    ('sum(P ⊙ log(P))', 'P', {'domains': 'P: positive'}, '1 + log(P)', 'log(P) + 𝟙𝟙ᵀ'),  # negative entropy
    ('sum(p ⊙ log(p ⊘ q))', 'q', {'domains': 'p: positive, q: positive'}, '−(p ⊘ q)', '−p ⊘ q'),  # KL divergence wrt q
    ('−yᵀlog(exp(z)/(𝟙ᵀexp(z)))', 'z', {}, '(𝟙ᵀy)exp(z)/(𝟙ᵀexp(z)) − y', '(𝟙ᵀy)exp(z)/(𝟙ᵀexp(z)) − y'),  # softmax cross-entropy written by hand
    ('−yᵀlog(exp(Wx)/(𝟙ᵀexp(Wx)))', 'W', {}, '((𝟙ᵀy)exp(Wx)/(𝟙ᵀexp(Wx)) − y)xᵀ', '((𝟙ᵀy)exp(Wx)/(𝟙ᵀexp(Wx)) − y)xᵀ'),  # multinomial logistic regression
    ('log(𝟙ᵀexp(z)) − yᵀz', 'z', {}, 'exp(z)/(𝟙ᵀexp(z)) − y', 'exp(z)/(𝟙ᵀexp(z)) − y'),  # softmax cross-entropy, log-sum-exp form
    ('‖Y − XW‖²_F + λ‖W‖²_F', 'W', {}, '2(λW + Xᵀ(XW − Y))', '2Xᵀ(XW − Y) + 2λW'),  # ridge regression, matrix form
    ('n·log det Σ + tr(Σ⁻¹S)', 'Σ', {'shapes': 'n: scalar', 'domains': 'Σ: spd, S: symmetric'}, 'nΣ⁻¹ − Σ⁻¹SΣ⁻¹', 'nΣ⁻¹ − Σ⁻¹SΣ⁻¹'),  # Gaussian negative log-likelihood, covariance
    ('m·log(s) + ‖x − μ‖²/(2s²)', 's', {'shapes': 'x: n, μ: n, s: scalar, m: scalar'}, 'm/s − ‖x − μ‖²/s³', 'm/s − ‖x − μ‖²/s³'),  # Gaussian negative log-likelihood, scale
    # spectral quantities (at a simple eigenvalue / singular value, a full-rank matrix) and matrix functions
    ('λ_max(S)', 'S', {'domains': {'S': 'symmetric'}}, 'vvᵀ where Sv = λ_max(S)v (λ_max simple)', 'vvᵀ where Sv = λ_max(S)v'),  # Magnus & Neudecker 8.7 λ_max wrt S
    ('‖X‖₂', 'X', {}, 'u₁v₁ᵀ where X = UΣVᵀ (σ₁ simple)', 'u₁v₁ᵀ where X = UΣVᵀ'),  # spectral norm wrt X
    ('‖X‖_*', 'X', {}, 'UVᵀ where X = UΣVᵀ (full rank)', 'UVᵀ where X = UΣVᵀ'),  # nuclear norm wrt X
    ('tr(expm(X))', 'X', {}, 'expm(X)ᵀ', 'expm(X)ᵀ'),  # tr e^X wrt X
    ('tr(X logm(X))', 'X', {}, 'I + logm(X)ᵀ', 'logm(X)ᵀ + I'),  # von Neumann entropy wrt X
    ('tr(Gᵀexpm(X))', 'X', {}, 'L_expm(Xᵀ, G)', 'L_expm(Xᵀ, G)'),  # Higham 3.2 ⟨G, e^X⟩ wrt X
]


def parse_answer(f: str, wrt: str, text: str, decl: dict):
    """An answer's tree, read with the shapes and domains of f's symbols and wrt's shape."""
    import matcalc as mc
    from matcalc.expr.parse import parse

    e = mc.parse(f, **decl)
    symbols = {s.name: s for s in e.free_symbols}
    x = symbols[mc.parse(wrt, shapes=None).name] if wrt not in symbols else symbols[wrt]

    def dim(d):
        return int(d) if d.is_Integer else str(d)

    shapes = {s.name: tuple(dim(d) for d in s.dims) for s in symbols.values()}
    domains = {s.name: sorted(s.assumptions) for s in symbols.values() if s.assumptions}
    return parse(text, shapes=shapes, domains=domains or None, functions=decl.get("functions"),
                 shape=tuple(dim(d) for d in x.shape))
