namespace Hearth.Chat.Jinja;

/// <summary>A parsed template: render it with a set of variables.</summary>
internal sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Node> _nodes;

    private JinjaTemplate(IReadOnlyList<Node> nodes) => _nodes = nodes;

    public static JinjaTemplate Parse(string source) => new(JinjaParser.Parse(source));

    public string Render(IReadOnlyDictionary<string, object?> variables, DateTime now)
    {
        var scope = new JinjaScope(null);
        foreach (var kv in variables) scope.Set(kv.Key, kv.Value);
        return new JinjaEvaluator(new JinjaGlobals(now)).Render(_nodes, scope);
    }
}
