namespace Hearth.Chat.Jinja;

// Statement nodes of the template AST.

internal abstract record Node(int Line, int Column);

internal sealed record TextNode(string Text, int Line, int Column) : Node(Line, Column);

/// <summary><c>{{ expr }}</c>.</summary>
internal sealed record OutputNode(Expr Value, int Line, int Column) : Node(Line, Column);

/// <summary><c>if</c> / <c>elif</c>… / <c>else</c>: the first branch whose test is true runs.</summary>
internal sealed record IfNode(IReadOnlyList<KeyValuePair<Expr, IReadOnlyList<Node>>> Branches, IReadOnlyList<Node>? Else, int Line, int Column)
    : Node(Line, Column);

/// <summary>
/// <c>for a[, b...] in iter [if filter]</c> … <c>[else]</c> … <c>endfor</c>. <see cref="Targets"/> has more than one
/// name for tuple unpacking.
/// </summary>
internal sealed record ForNode(IReadOnlyList<string> Targets, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else,
    bool Recursive, int Line, int Column) : Node(Line, Column);

/// <summary><c>set a = v</c>, <c>set a, b = v</c>, or <c>set ns.attr = v</c> (<see cref="Attribute"/> non-null).</summary>
internal sealed record SetNode(IReadOnlyList<string> Targets, string? Attribute, Expr Value, int Line, int Column) : Node(Line, Column);

/// <summary><c>{% set name [| filters] %}body{% endset %}</c>.</summary>
internal sealed record SetBlockNode(string Target, string? Attribute, IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Node> Body, int Line, int Column)
    : Node(Line, Column);

internal sealed record MacroParameter(string Name, Expr? Default);

internal sealed record MacroNode(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Node> Body, int Line, int Column)
    : Node(Line, Column);

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: the macro can render the body through <c>caller()</c>.</summary>
internal sealed record CallBlockNode(CallExpr Call, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Node> Body, int Line, int Column)
    : Node(Line, Column);

/// <summary><c>{% filter f %}body{% endfilter %}</c>.</summary>
internal sealed record FilterBlockNode(IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Node> Body, int Line, int Column) : Node(Line, Column);

internal sealed record BreakNode(int Line, int Column) : Node(Line, Column);

internal sealed record ContinueNode(int Line, int Column) : Node(Line, Column);

/// <summary><c>{% do expr %}</c>: evaluate for its side effect.</summary>
internal sealed record DoNode(Expr Value, int Line, int Column) : Node(Line, Column);
