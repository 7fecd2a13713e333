namespace Hearth.Chat.Jinja;

// Expression grammar, lowest to highest precedence, as Jinja2's parser:
// conditional (a if c else b) < or < and < not < comparisons/in < + - < ~ < * / // % < ** < unary - +
// < primary with postfix (.attr [item] (call)) and filters/tests (| f, is t), which bind tighter than any operator.
internal sealed partial class JinjaParser
{
    /// <summary>An expression, or a tuple when commas follow (<c>{{ a, b }}</c>, <c>for x in a, b</c>).</summary>
    private Expr ParseTuple(bool withCondExpr = true)
    {
        var first = ParseExpression(withCondExpr);
        if (!Current.IsOp(",")) return first;
        var items = new List<Expr> { first };
        while (SkipOp(","))
        {
            if (IsTupleEnd(Current)) break;
            items.Add(ParseExpression(withCondExpr));
        }
        return new ListExpr(items, true, first.Line, first.Column);
    }

    private static bool IsTupleEnd(JinjaToken t) =>
        t.Kind is JinjaTokenKind.BlockEnd or JinjaTokenKind.VariableEnd or JinjaTokenKind.Eof
        || t.IsOp(")") || t.IsOp("]") || t.IsOp("}") || t.IsName("if") || t.IsName("recursive");

    private Expr ParseExpression(bool withCondExpr = true)
    {
        var expr = ParseOr();
        if (!withCondExpr) return expr;
        while (Current.IsName("if"))
        {
            var at = Next();
            var test = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseExpression() : null;
            expr = new CondExpr(test, expr, otherwise, at.Line, at.Column);
        }
        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var at = Next();
            left = new BinaryExpr("or", left, ParseAnd(), at.Line, at.Column);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var at = Next();
            left = new BinaryExpr("and", left, ParseNot(), at.Line, at.Column);
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (!Current.IsName("not")) return ParseCompare();
        var at = Next();
        return new UnaryExpr("not", ParseNot(), at.Line, at.Column);
    }

    private Expr ParseCompare()
    {
        var left = ParseMath1();
        Expr? result = null;
        while (true)
        {
            var t = Current;
            string op;
            if (t.Kind == JinjaTokenKind.Operator && t.Text is "==" or "!=" or "<" or "<=" or ">" or ">=") op = t.Text;
            else if (t.IsName("in")) op = "in";
            else if (t.IsName("not") && Peek().IsName("in"))
            {
                Next();
                op = "not in";
            }
            else break;
            Next();
            var right = ParseMath1();
            // Chained comparisons (a < b < c) mean (a < b) and (b < c).
            var cmp = new BinaryExpr(op, left, right, t.Line, t.Column);
            result = result == null ? cmp : new BinaryExpr("and", result, cmp, t.Line, t.Column);
            left = right;
        }
        return result ?? left;
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOp("+") || Current.IsOp("-"))
        {
            var at = Next();
            left = new BinaryExpr(at.Text, left, ParseConcat(), at.Line, at.Column);
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMath2();
        while (Current.IsOp("~"))
        {
            var at = Next();
            left = new BinaryExpr("~", left, ParseMath2(), at.Line, at.Column);
        }
        return left;
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var at = Next();
            left = new BinaryExpr(at.Text, left, ParsePow(), at.Line, at.Column);
        }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (Current.IsOp("**"))
        {
            var at = Next();
            left = new BinaryExpr("**", left, ParseUnary(), at.Line, at.Column);
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        var t = Current;
        Expr node;
        if (t.IsOp("-") || t.IsOp("+"))
        {
            Next();
            node = new UnaryExpr(t.Text, ParseUnary(false), t.Line, t.Column);
        }
        else
        {
            node = ParsePrimary();
        }
        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpr(node) : node;
    }

    private Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case JinjaTokenKind.Name:
                return t.Text switch
                {
                    "true" or "True" => new ConstExpr(true, t.Line, t.Column),
                    "false" or "False" => new ConstExpr(false, t.Line, t.Column),
                    "none" or "None" => new ConstExpr(null, t.Line, t.Column),
                    _ => new NameExpr(t.Text, t.Line, t.Column),
                };
            case JinjaTokenKind.String:
                string s = t.Text;
                while (Current.Kind == JinjaTokenKind.String) s += Next().Text; // adjacent literals concatenate
                return new ConstExpr(s, t.Line, t.Column);
            case JinjaTokenKind.Integer:
            case JinjaTokenKind.Float:
                return new ConstExpr(t.Value, t.Line, t.Column);
            case JinjaTokenKind.Operator when t.Text == "(":
                if (SkipOp(")")) return new ListExpr([], true, t.Line, t.Column);
                var inner = ParseTuple();
                Expect(JinjaTokenKind.Operator, ")");
                return inner;
            case JinjaTokenKind.Operator when t.Text == "[":
                var items = new List<Expr>();
                while (!SkipOp("]"))
                {
                    if (items.Count > 0) Expect(JinjaTokenKind.Operator, ",");
                    if (SkipOp("]")) break;
                    items.Add(ParseExpression());
                }
                return new ListExpr(items, false, t.Line, t.Column);
            case JinjaTokenKind.Operator when t.Text == "{":
                var pairs = new List<KeyValuePair<Expr, Expr>>();
                while (!SkipOp("}"))
                {
                    if (pairs.Count > 0) Expect(JinjaTokenKind.Operator, ",");
                    if (SkipOp("}")) break;
                    var key = ParseExpression();
                    Expect(JinjaTokenKind.Operator, ":");
                    pairs.Add(new(key, ParseExpression()));
                }
                return new DictExpr(pairs, t.Line, t.Column);
            default:
                throw Error($"unexpected {t} where an expression was expected", t);
        }
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var t = Current;
            if (t.IsOp("."))
            {
                Next();
                var name = Next();
                if (name.Kind == JinjaTokenKind.Name) node = new GetAttrExpr(node, name.Text, t.Line, t.Column);
                else if (name.Kind == JinjaTokenKind.Integer) node = new GetItemExpr(node, new ConstExpr(name.Value, name.Line, name.Column), t.Line, t.Column);
                else throw Error($"expected an attribute name after '.', found {name}", name);
            }
            else if (t.IsOp("["))
            {
                Next();
                node = ParseSubscript(node, t);
            }
            else if (t.IsOp("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr target, JinjaToken at)
    {
        Expr? start = null;
        if (!Current.IsOp(":"))
        {
            start = ParseExpression();
            if (SkipOp("]")) return new GetItemExpr(target, start, at.Line, at.Column);
        }
        Expect(JinjaTokenKind.Operator, ":");
        Expr? stop = Current.IsOp(":") || Current.IsOp("]") ? null : ParseExpression();
        Expr? step = null;
        if (SkipOp(":") && !Current.IsOp("]")) step = ParseExpression();
        Expect(JinjaTokenKind.Operator, "]");
        return new SliceExpr(target, start, stop, step, at.Line, at.Column);
    }

    private (List<Expr> Args, List<KeyValuePair<string, Expr>> Kwargs) ParseArgs()
    {
        var open = Expect(JinjaTokenKind.Operator, "(");
        var args = new List<Expr>();
        var kwargs = new List<KeyValuePair<string, Expr>>();
        while (!SkipOp(")"))
        {
            if (args.Count + kwargs.Count > 0) Expect(JinjaTokenKind.Operator, ",");
            if (SkipOp(")")) break;
            if (Current.IsOp("*") || Current.IsOp("**")) throw Error("'*args' / '**kwargs' in calls are not supported", Current);
            if (Current.Kind == JinjaTokenKind.Name && Peek().IsOp("="))
            {
                string name = Next().Text;
                Next();
                kwargs.Add(new(name, ParseExpression()));
            }
            else
            {
                if (kwargs.Count > 0) throw Error("a positional argument follows a keyword argument", Current);
                args.Add(ParseExpression());
            }
            if (Current.Kind == JinjaTokenKind.Eof) throw Error("unclosed '(' in call", open);
        }
        return (args, kwargs);
    }

    private CallExpr ParseCall(Expr callee)
    {
        var at = Current;
        var (args, kwargs) = ParseArgs();
        return new CallExpr(callee, args, kwargs, at.Line, at.Column);
    }

    private Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            if (SkipOp("|")) node = ParseFilter(node);
            else if (Current.IsName("is")) node = ParseTest(node);
            else if (Current.IsOp("(")) node = ParseCall(node);
            else return node;
        }
    }

    private FilterExpr ParseFilter(Expr? input)
    {
        var name = Expect(JinjaTokenKind.Name);
        string full = name.Text;
        while (Current.IsOp(".") && Peek().Kind == JinjaTokenKind.Name)
        {
            Next();
            full += "." + Next().Text;
        }
        // Jinja2 rejects unknown filters when it compiles the template, not when a branch happens to run.
        if (!JinjaFilters.Names.Contains(full)) throw Error($"unknown filter '{full}'", name);
        if (!Current.IsOp("(")) return new FilterExpr(input, full, [], [], name.Line, name.Column);
        var (args, kwargs) = ParseArgs();
        return new FilterExpr(input, full, args, kwargs, name.Line, name.Column);
    }

    private Expr ParseTest(Expr input)
    {
        var at = Next(); // 'is'
        bool negated = SkipName("not");
        var name = Expect(JinjaTokenKind.Name);
        if (!JinjaTests.Names.Contains(name.Text)) throw Error($"unknown test '{name.Text}'", name);
        var args = new List<Expr>();
        var t = Current;
        if (t.IsOp("("))
        {
            var (a, kw) = ParseArgs();
            args.AddRange(a);
            args.AddRange(kw.Select(k => k.Value));
        }
        else if ((t.Kind is JinjaTokenKind.Name or JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                  || t.IsOp("(") || t.IsOp("[") || t.IsOp("{"))
                 && !t.IsName("else") && !t.IsName("or") && !t.IsName("and") && !t.IsName("if"))
        {
            if (t.IsName("is")) throw Error("tests cannot be chained with another 'is'", t);
            args.Add(ParsePostfix(ParsePrimary()));
        }
        return new TestExpr(input, name.Text, args, negated, at.Line, at.Column);
    }
}
