using System.Text;

namespace Hearth.Chat.Jinja;

/// <summary>
/// Tree-walking renderer: executes statements into a <see cref="StringBuilder"/>. Expressions are in
/// <c>JinjaEvaluator.Expressions.cs</c>. Errors raised by helpers without a position get the position of the
/// innermost expression or statement being evaluated.
/// </summary>
internal sealed partial class JinjaEvaluator
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    private readonly JinjaGlobals _globals;
    private int _depth;

    public JinjaEvaluator(JinjaGlobals globals) => _globals = globals;

    public string Render(IReadOnlyList<Node> template, JinjaScope scope)
    {
        var sb = new StringBuilder();
        Execute(template, scope, sb);
        return sb.ToString();
    }

    private Flow Execute(IReadOnlyList<Node> nodes, JinjaScope scope, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            Flow f;
            try
            {
                f = ExecuteNode(node, scope, sb);
            }
            catch (JinjaException e) when (e.Line == 0)
            {
                throw new JinjaException(e.Reason, node.Line, node.Column, e.RaisedByTemplate);
            }
            if (f != Flow.Normal) return f;
        }
        return Flow.Normal;
    }

    private Flow ExecuteNode(Node node, JinjaScope scope, StringBuilder sb)
    {
        switch (node)
        {
            case TextNode t:
                sb.Append(t.Text);
                return Flow.Normal;
            case OutputNode o:
                sb.Append(JinjaValue.ToStr(Eval(o.Value, scope)));
                return Flow.Normal;
            case IfNode i:
                foreach (var branch in i.Branches)
                    if (JinjaValue.IsTruthy(Eval(branch.Key, scope))) return Execute(branch.Value, scope, sb);
                return i.Else != null ? Execute(i.Else, scope, sb) : Flow.Normal;
            case ForNode f:
                ExecuteFor(f, scope, sb);
                return Flow.Normal;
            case SetNode s:
                Assign(s.Targets, s.Attribute, Eval(s.Value, scope), scope, s);
                return Flow.Normal;
            case SetBlockNode sbn:
            {
                object? value = RenderBody(sbn.Body, new JinjaScope(scope));
                foreach (var filter in sbn.Filters) value = ApplyFilter(filter, value, scope);
                Assign([sbn.Target], sbn.Attribute, value, scope, sbn);
                return Flow.Normal;
            }
            case MacroNode m:
                scope.Set(m.Name, MakeMacro(m.Name, m.Parameters, m.Body, scope));
                return Flow.Normal;
            case CallBlockNode c:
            {
                var caller = MakeMacro("caller", c.Parameters, c.Body, scope);
                sb.Append(JinjaValue.ToStr(EvalCall(c.Call, scope, caller)));
                return Flow.Normal;
            }
            case FilterBlockNode fb:
            {
                object? value = RenderBody(fb.Body, new JinjaScope(scope));
                foreach (var filter in fb.Filters) value = ApplyFilter(filter, value, scope);
                sb.Append(JinjaValue.ToStr(value));
                return Flow.Normal;
            }
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            case DoNode d:
                Eval(d.Value, scope);
                return Flow.Normal;
            default:
                throw new JinjaException($"unsupported node {node.GetType().Name}", node.Line, node.Column);
        }
    }

    private string RenderBody(IReadOnlyList<Node> body, JinjaScope scope)
    {
        var sb = new StringBuilder();
        Execute(body, scope, sb);
        return sb.ToString();
    }

    private void Assign(IReadOnlyList<string> targets, string? attribute, object? value, JinjaScope scope, Node at)
    {
        if (attribute != null)
        {
            if (!scope.TryGet(targets[0], out object? target) || target is not JinjaNamespace ns)
                throw new JinjaException($"cannot assign attribute '{attribute}' on '{targets[0]}': only namespace() objects accept attribute assignment", at.Line, at.Column);
            ns.Attributes[attribute] = value;
            return;
        }
        if (targets.Count == 1)
        {
            scope.Set(targets[0], value);
            return;
        }
        var items = JinjaValue.Iterate(value);
        if (items.Count != targets.Count)
            throw new JinjaException($"cannot unpack {items.Count} values into {targets.Count} names ({string.Join(", ", targets)})", at.Line, at.Column);
        for (int i = 0; i < targets.Count; i++) scope.Set(targets[i], items[i]);
    }

    private void ExecuteFor(ForNode f, JinjaScope scope, StringBuilder sb)
    {
        if (f.Recursive) throw new JinjaException("recursive for loops are not supported", f.Line, f.Column);
        object? iterable = Eval(f.Iterable, scope);
        var source = new List<object?>(JinjaValue.Iterate(iterable)); // a copy: the body may append to the list
        List<object?> items = source;
        if (f.Filter != null)
        {
            items = [];
            foreach (var item in source)
            {
                var probe = new JinjaScope(scope);
                Assign(f.Targets, null, item, probe, f);
                if (JinjaValue.IsTruthy(Eval(f.Filter, probe))) items.Add(item);
            }
        }
        if (items.Count == 0)
        {
            if (f.Else != null) Execute(f.Else, scope, sb);
            return;
        }
        // loop.depth counts recursive-loop levels only; ordinary nested loops all have depth 1 in Jinja2.
        var loop = new JinjaLoop(items, 0);
        for (int i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            var body = new JinjaScope(scope);
            body.Set("loop", loop);
            Assign(f.Targets, null, items[i], body, f);
            if (Execute(f.Body, body, sb) == Flow.Break) break;
        }
    }

    /// <summary>A macro (or a call block's body as <c>caller</c>) closes over the scope it was defined in.</summary>
    private JinjaCallable MakeMacro(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Node> body, JinjaScope defined) =>
        new(name, args =>
        {
            if (++_depth > 200)
            {
                _depth = 0;
                throw new JinjaException($"macro '{name}' recursed more than 200 levels deep");
            }
            try
            {
                var scope = new JinjaScope(defined);
                var varargs = new List<object?>();
                var kwargs = new JinjaDict();
                for (int i = 0; i < args.Positional.Count; i++)
                {
                    if (i < parameters.Count) scope.Set(parameters[i].Name, args.Positional[i]);
                    else varargs.Add(args.Positional[i]);
                }
                foreach (var kv in args.Named)
                {
                    int idx = -1;
                    for (int p = 0; p < parameters.Count; p++) if (parameters[p].Name == kv.Key) idx = p;
                    if (idx >= 0) scope.Set(kv.Key, kv.Value);
                    else if (kv.Key == "caller") scope.Set("caller", kv.Value);
                    else kwargs.Set(kv.Key, kv.Value);
                }
                for (int p = args.Positional.Count; p < parameters.Count; p++)
                {
                    var param = parameters[p];
                    if (scope.TryGet(param.Name, out _) && HasNamed(args, param.Name)) continue;
                    scope.Set(param.Name, param.Default != null ? Eval(param.Default, scope) : JinjaUndefined.Named(param.Name));
                }
                scope.Set("varargs", varargs);
                scope.Set("kwargs", kwargs);
                return RenderBody(body, scope);
            }
            finally
            {
                _depth--;
            }
        });

    private static bool HasNamed(JinjaArgs args, string name)
    {
        foreach (var kv in args.Named) if (kv.Key == name) return true;
        return false;
    }
}
