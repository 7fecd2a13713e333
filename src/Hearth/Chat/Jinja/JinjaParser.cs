namespace Hearth.Chat.Jinja;

/// <summary>
/// Recursive-descent parser from tokens to the template AST. Statements here; expressions in
/// <c>JinjaParser.Expressions.cs</c>. Anything outside the supported subset (<c>extends</c>, <c>include</c>,
/// <c>import</c>, <c>block</c>, ...) is rejected with its name and line.
/// </summary>
internal sealed partial class JinjaParser
{
    private readonly List<JinjaToken> _tokens;
    private readonly Stack<JinjaToken> _open = new(); // blocks being parsed, for error messages
    private int _i;

    private JinjaParser(List<JinjaToken> tokens) => _tokens = tokens;

    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        var (body, end) = parser.ParseBody([]);
        if (end != null) throw Error($"unexpected '{end}': there is no open block it could close", parser.Previous);
        return body;
    }

    private JinjaToken Current => _tokens[_i];

    private JinjaToken Previous => _tokens[Math.Max(0, _i - 1)];

    private JinjaToken Peek(int ahead = 1) => _tokens[Math.Min(_i + ahead, _tokens.Count - 1)];

    private JinjaToken Next() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];

    private static JinjaException Error(string reason, JinjaToken at) => new(reason, at.Line, at.Column);

    private JinjaToken Expect(JinjaTokenKind kind, string? text = null)
    {
        var t = Current;
        if (t.Kind != kind || (text != null && t.Text != text))
        {
            string want = text != null ? $"'{text}'" : kind switch
            {
                JinjaTokenKind.Name => "a name",
                JinjaTokenKind.BlockEnd => "'%}'",
                JinjaTokenKind.VariableEnd => "'}}'",
                _ => kind.ToString(),
            };
            throw Error($"expected {want} but found {t}", t);
        }
        return Next();
    }

    private bool SkipOp(string op)
    {
        if (!Current.IsOp(op)) return false;
        _i++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _i++;
        return true;
    }

    /// <summary>
    /// Parses nodes until a block tag whose name is in <paramref name="endTags"/> (its name is consumed and returned,
    /// the rest of that tag is left for the caller) or until the end of the template (returns null).
    /// </summary>
    private (List<Node> Body, string? EndTag) ParseBody(string[] endTags)
    {
        var body = new List<Node>();
        while (true)
        {
            var t = Current;
            switch (t.Kind)
            {
                case JinjaTokenKind.Eof:
                    return (body, null);
                case JinjaTokenKind.Text:
                    Next();
                    body.Add(new TextNode(t.Text, t.Line, t.Column));
                    break;
                case JinjaTokenKind.VariableBegin:
                    Next();
                    var e = ParseTuple();
                    Expect(JinjaTokenKind.VariableEnd);
                    body.Add(new OutputNode(e, t.Line, t.Column));
                    break;
                case JinjaTokenKind.BlockBegin:
                    Next();
                    var name = Expect(JinjaTokenKind.Name);
                    if (Array.IndexOf(endTags, name.Text) >= 0) return (body, name.Text);
                    body.Add(ParseStatement(name));
                    break;
                default:
                    throw Error($"unexpected {t}", t);
            }
        }
    }

    private (List<Node> Body, string EndTag) ParseBlockBody(JinjaToken opener, params string[] endTags)
    {
        _open.Push(opener);
        var (body, end) = ParseBody(endTags);
        _open.Pop();
        if (end == null)
            throw Error($"'{opener.Text}' block opened on line {opener.Line} is never closed (expected {string.Join(" or ", endTags.Select(x => $"'{x}'"))})",
                Current);
        return (body, end);
    }

    private Node ParseStatement(JinjaToken tag)
    {
        switch (tag.Text)
        {
            case "if": return ParseIf(tag);
            case "for": return ParseFor(tag);
            case "set": return ParseSet(tag);
            case "macro": return ParseMacro(tag);
            case "call": return ParseCallBlock(tag);
            case "filter": return ParseFilterBlock(tag);
            case "break":
                Expect(JinjaTokenKind.BlockEnd);
                return new BreakNode(tag.Line, tag.Column);
            case "continue":
                Expect(JinjaTokenKind.BlockEnd);
                return new ContinueNode(tag.Line, tag.Column);
            case "do":
                var e = ParseTuple();
                Expect(JinjaTokenKind.BlockEnd);
                return new DoNode(e, tag.Line, tag.Column);
            case "generation":
                // Hugging Face's {% generation %} only marks assistant tokens for training masks; it renders its body.
                Expect(JinjaTokenKind.BlockEnd);
                var (gen, _) = ParseBlockBody(tag, "endgeneration");
                Expect(JinjaTokenKind.BlockEnd);
                return new IfNode([new(new ConstExpr(true, tag.Line, tag.Column), gen)], null, tag.Line, tag.Column);
            case "elif" or "else" or "endif" or "endfor" or "endset" or "endmacro" or "endcall" or "endfilter" or "endgeneration":
                throw Error(_open.Count > 0
                    ? $"unexpected '{tag.Text}' inside the '{_open.Peek().Text}' block opened on line {_open.Peek().Line}"
                    : $"unexpected '{tag.Text}': there is no open block it belongs to", tag);
            case "extends" or "include" or "import" or "from" or "block" or "endblock" or "with" or "endwith" or "autoescape" or "trans":
                throw Error($"unsupported template statement '{tag.Text}' (chat templates are self-contained; this interpreter has no loader)", tag);
            default:
                throw Error($"unknown template statement '{tag.Text}'", tag);
        }
    }

    private Node ParseIf(JinjaToken tag)
    {
        var branches = new List<KeyValuePair<Expr, IReadOnlyList<Node>>>();
        var test = ParseTuple();
        Expect(JinjaTokenKind.BlockEnd);
        while (true)
        {
            var (body, end) = ParseBlockBody(tag, "elif", "else", "endif");
            branches.Add(new(test, body));
            if (end == "elif")
            {
                test = ParseTuple();
                Expect(JinjaTokenKind.BlockEnd);
                continue;
            }
            Expect(JinjaTokenKind.BlockEnd);
            if (end == "endif") return new IfNode(branches, null, tag.Line, tag.Column);
            var (elseBody, _) = ParseBlockBody(tag, "endif");
            Expect(JinjaTokenKind.BlockEnd);
            return new IfNode(branches, elseBody, tag.Line, tag.Column);
        }
    }

    private Node ParseFor(JinjaToken tag)
    {
        var targets = ParseAssignTargets(out string? attr);
        if (attr != null) throw Error("a for loop cannot assign to an attribute", tag);
        Expect(JinjaTokenKind.Name, "in");
        // Jinja2 parses the iterable without the conditional expression so 'for x in y if cond' is a loop filter.
        var iterable = ParseTuple(withCondExpr: false);
        Expr? filter = null;
        if (SkipName("if")) filter = ParseExpression();
        bool recursive = SkipName("recursive");
        Expect(JinjaTokenKind.BlockEnd);
        var (body, end) = ParseBlockBody(tag, "else", "endfor");
        Expect(JinjaTokenKind.BlockEnd);
        List<Node>? elseBody = null;
        if (end == "else")
        {
            (elseBody, _) = ParseBlockBody(tag, "endfor");
            Expect(JinjaTokenKind.BlockEnd);
        }
        return new ForNode(targets, iterable, filter, body, elseBody, recursive, tag.Line, tag.Column);
    }

    /// <summary><c>a</c>, <c>a, b</c>, <c>(a, b)</c> or <c>ns.attr</c>.</summary>
    private List<string> ParseAssignTargets(out string? attribute)
    {
        attribute = null;
        bool paren = SkipOp("(");
        var names = new List<string> { Expect(JinjaTokenKind.Name).Text };
        if (!paren && SkipOp("."))
        {
            attribute = Expect(JinjaTokenKind.Name).Text;
            return names;
        }
        while (SkipOp(","))
        {
            if (Current.Kind != JinjaTokenKind.Name) break;
            names.Add(Next().Text);
        }
        if (paren) Expect(JinjaTokenKind.Operator, ")");
        return names;
    }

    private Node ParseSet(JinjaToken tag)
    {
        var targets = ParseAssignTargets(out string? attr);
        if (SkipOp("="))
        {
            var value = ParseTuple();
            Expect(JinjaTokenKind.BlockEnd);
            return new SetNode(targets, attr, value, tag.Line, tag.Column);
        }
        if (targets.Count != 1) throw Error("a block 'set' assigns exactly one name", tag);
        var filters = new List<FilterExpr>();
        while (SkipOp("|")) filters.Add(ParseFilter(null));
        Expect(JinjaTokenKind.BlockEnd);
        var (body, _) = ParseBlockBody(tag, "endset");
        Expect(JinjaTokenKind.BlockEnd);
        return new SetBlockNode(targets[0], attr, filters, body, tag.Line, tag.Column);
    }

    private List<MacroParameter> ParseParameters()
    {
        var ps = new List<MacroParameter>();
        Expect(JinjaTokenKind.Operator, "(");
        while (!SkipOp(")"))
        {
            if (ps.Count > 0) Expect(JinjaTokenKind.Operator, ",");
            if (SkipOp(")")) break;
            string name = Expect(JinjaTokenKind.Name).Text;
            Expr? def = SkipOp("=") ? ParseExpression() : null;
            ps.Add(new MacroParameter(name, def));
        }
        return ps;
    }

    private Node ParseMacro(JinjaToken tag)
    {
        string name = Expect(JinjaTokenKind.Name).Text;
        var ps = ParseParameters();
        Expect(JinjaTokenKind.BlockEnd);
        var (body, _) = ParseBlockBody(tag, "endmacro");
        SkipName(name);
        Expect(JinjaTokenKind.BlockEnd);
        return new MacroNode(name, ps, body, tag.Line, tag.Column);
    }

    private Node ParseCallBlock(JinjaToken tag)
    {
        var ps = Current.IsOp("(") ? ParseParameters() : [];
        var call = ParseExpression() as CallExpr ?? throw Error("'call' expects a macro call such as {% call m(args) %}", tag);
        Expect(JinjaTokenKind.BlockEnd);
        var (body, _) = ParseBlockBody(tag, "endcall");
        Expect(JinjaTokenKind.BlockEnd);
        return new CallBlockNode(call, ps, body, tag.Line, tag.Column);
    }

    private Node ParseFilterBlock(JinjaToken tag)
    {
        var filters = new List<FilterExpr> { ParseFilter(null) };
        while (SkipOp("|")) filters.Add(ParseFilter(null));
        Expect(JinjaTokenKind.BlockEnd);
        var (body, _) = ParseBlockBody(tag, "endfilter");
        Expect(JinjaTokenKind.BlockEnd);
        return new FilterBlockNode(filters, body, tag.Line, tag.Column);
    }
}
