namespace Hearth.Chat.Jinja;

/// <summary>
/// A missing variable, attribute or item, with Jinja2's default <c>Undefined</c> semantics: it prints as empty,
/// is falsy, iterates as empty and has length 0; anything else (arithmetic, attribute or item access, calling it,
/// comparing it with &lt;, serializing it) is an error whose message says what was missing.
/// </summary>
internal sealed class JinjaUndefined
{
    public JinjaUndefined(string hint) => Hint = hint;

    /// <summary>Jinja2's wording: <c>'x' is undefined</c> or <c>'dict object' has no attribute 'y'</c>.</summary>
    public string Hint { get; }

    public static JinjaUndefined Named(string name) => new($"'{name}' is undefined");

    public static JinjaUndefined Attribute(object? owner, string name) => new($"'{JinjaValue.TypeName(owner)} object' has no attribute '{name}'");

    public static JinjaUndefined Item(object? owner, object? key) =>
        owner is List<object?> ? new($"'{JinjaValue.TypeName(owner)} object' has no element {JinjaValue.Repr(key)}")
            : new($"'{JinjaValue.TypeName(owner)} object' has no attribute {JinjaValue.Repr(key)}");

    public override string ToString() => "";
}
