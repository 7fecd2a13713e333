namespace Hearth.Chat.Jinja;

/// <summary>The object <c>namespace(...)</c> returns: the one value <c>{% set ns.attr = ... %}</c> may change from inside a loop.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
