namespace Hearth.Chat.Jinja;

// Expression nodes of the template AST. Each records where it starts so runtime errors can point at it.

internal abstract record Expr(int Line, int Column);

internal sealed record ConstExpr(object? Value, int Line, int Column) : Expr(Line, Column);

internal sealed record NameExpr(string Name, int Line, int Column) : Expr(Line, Column);

/// <summary><c>obj.name</c>: attribute first, then item (Jinja2's <c>getattr</c>).</summary>
internal sealed record GetAttrExpr(Expr Target, string Name, int Line, int Column) : Expr(Line, Column);

/// <summary><c>obj[key]</c>: item first, then attribute (Jinja2's <c>getitem</c>).</summary>
internal sealed record GetItemExpr(Expr Target, Expr Key, int Line, int Column) : Expr(Line, Column);

/// <summary><c>obj[start:stop:step]</c>, Python slicing.</summary>
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line, int Column) : Expr(Line, Column);

internal sealed record CallExpr(Expr Callee, IReadOnlyList<Expr> Args, IReadOnlyList<KeyValuePair<string, Expr>> Kwargs, int Line, int Column)
    : Expr(Line, Column);

/// <summary><c>input | name(args)</c>; <see cref="Input"/> is null inside a <c>{% filter %}</c> block header.</summary>
internal sealed record FilterExpr(Expr? Input, string Name, IReadOnlyList<Expr> Args, IReadOnlyList<KeyValuePair<string, Expr>> Kwargs, int Line, int Column)
    : Expr(Line, Column);

/// <summary><c>input is [not] name(args)</c>.</summary>
internal sealed record TestExpr(Expr Input, string Name, IReadOnlyList<Expr> Args, bool Negated, int Line, int Column) : Expr(Line, Column);

/// <summary>Binary operators: arithmetic, <c>~</c>, comparisons, <c>in</c>/<c>not in</c>, <c>and</c>/<c>or</c>.</summary>
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line, int Column) : Expr(Line, Column);

/// <summary><c>not</c>, unary <c>-</c> and <c>+</c>.</summary>
internal sealed record UnaryExpr(string Op, Expr Operand, int Line, int Column) : Expr(Line, Column);

/// <summary><c>then if test else otherwise</c>; without <c>else</c> the result is undefined when the test fails.</summary>
internal sealed record CondExpr(Expr Test, Expr Then, Expr? Otherwise, int Line, int Column) : Expr(Line, Column);

internal sealed record ListExpr(IReadOnlyList<Expr> Items, bool IsTuple, int Line, int Column) : Expr(Line, Column);

internal sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Items, int Line, int Column) : Expr(Line, Column);
