# Decides whether two answers (LaTeX as the verifier normalised it) are equal, with sympy, inside the
# sandbox. Prints exactly one word: "equal", "different" or "unknown". The answers arrive as JSON in A and B.
import json, re
import sympy
from sympy.parsing.sympy_parser import parse_expr, standard_transformations, implicit_multiplication_application, convert_xor

A = json.loads(__A__)
B = json.loads(__B__)
TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)


def braces(s, i):
    # the {...} group starting at s[i] == "{"; returns (content, index after it)
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
    raise ValueError("unbalanced braces")


def to_sympy(s):
    s = s.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("\\,", "").replace("\\;", "")
    s = s.replace("\\cdot", "*").replace("\\times", "*").replace("\\div", "/").replace("\\pi", "pi")
    s = s.replace("\\leq", "<=").replace("\\le", "<=").replace("\\geq", ">=").replace("\\ge", ">=").replace("\\neq", "!=")
    s = s.replace("\\infty", "oo").replace("\\ln", "log").replace("\\log", "log")
    for name in ("sin", "cos", "tan", "exp"):
        s = s.replace("\\" + name, name)
    out, i = [], 0
    while i < len(s):
        if s.startswith("\\frac", i) or s.startswith("\\dfrac", i) or s.startswith("\\tfrac", i):
            i = s.index("{", i)
            num, i = braces(s, i)
            den, i = braces(s, i)
            out.append("((" + to_sympy(num) + ")/(" + to_sympy(den) + "))")
        elif s.startswith("\\sqrt", i):
            i += 5
            root = None
            if i < len(s) and s[i] == "[":
                k = s.index("]", i)
                root, i = s[i + 1:k], k + 1
            arg, i = braces(s, i)
            out.append("sqrt(" + to_sympy(arg) + ")" if root is None else "((" + to_sympy(arg) + ")**(1/(" + to_sympy(root) + ")))")
        elif s[i] == "{":
            inner, i = braces(s, i)
            out.append("(" + to_sympy(inner) + ")")
        elif s[i] == "\\":
            raise ValueError("unknown command at " + s[i:i + 12])
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse(s):
    text = to_sympy(s)
    if re.search(r"[^<>!=]=[^=]", " " + text + " ") and "<" not in text and ">" not in text:
        left, right = text.split("=", 1)
        return sympy.Eq(parse_expr(left, transformations=TRANSFORMS), parse_expr(right, transformations=TRANSFORMS))
    return parse_expr(text, transformations=TRANSFORMS)


def canonical(relation):
    # a relation as (kind, lhs - rhs) with ">" turned into "<" by negation
    kind, difference = type(relation).__name__, relation.lhs - relation.rhs
    flipped = {"StrictGreaterThan": "StrictLessThan", "GreaterThan": "LessThan"}
    if kind in flipped:
        return flipped[kind], -difference
    return kind, difference


try:
    a, b = parse(A), parse(B)
    if isinstance(a, sympy.core.relational.Relational) and isinstance(b, sympy.core.relational.Relational):
        (ka, da), (kb, db) = canonical(a), canonical(b)
        if ka != kb:
            print("different")
        elif ka in ("Equality", "Unequality"):
            ratio = sympy.simplify(da / db) if db != 0 else None
            print("equal" if ratio is not None and ratio.is_number and ratio != 0 else "different")
        else:
            ratio = sympy.simplify(da / db) if db != 0 else None
            print("equal" if ratio is not None and ratio.is_number and ratio > 0 else "different")
    elif isinstance(a, sympy.core.relational.Relational) or isinstance(b, sympy.core.relational.Relational):
        print("different")
    else:
        difference = sympy.simplify(a - b)
        print("equal" if difference == 0 else ("different" if difference.is_number else "unknown"))
except Exception:
    print("unknown")
