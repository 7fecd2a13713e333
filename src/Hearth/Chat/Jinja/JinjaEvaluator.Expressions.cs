namespace Hearth.Chat.Jinja;

internal sealed partial class JinjaEvaluator
{
    public object? Eval(Expr expr, JinjaScope scope)
    {
        try
        {
            return EvalCore(expr, scope);
        }
        catch (JinjaException e) when (e.Line == 0)
        {
            throw new JinjaException(e.Reason, expr.Line, expr.Column, e.RaisedByTemplate);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException or IndexOutOfRangeException)
        {
            throw new JinjaException(e.Message, expr.Line, expr.Column);
        }
    }

    private object? EvalCore(Expr expr, JinjaScope scope)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                if (scope.TryGet(n.Name, out object? v)) return v;
                return _globals.TryGet(n.Name, out v) ? v : JinjaUndefined.Named(n.Name);
            case GetAttrExpr ga:
                return GetAttribute(Defined(Eval(ga.Target, scope)), ga.Name);
            case GetItemExpr gi:
                return GetItem(Defined(Eval(gi.Target, scope)), Eval(gi.Key, scope));
            case SliceExpr sl:
                return Slice(Defined(Eval(sl.Target, scope)), OptionalIndex(sl.Start, scope), OptionalIndex(sl.Stop, scope), OptionalIndex(sl.Step, scope));
            case CallExpr call:
                return EvalCall(call, scope, null);
            case FilterExpr f:
                return ApplyFilter(f, f.Input == null ? null : Eval(f.Input, scope), scope);
            case TestExpr t:
            {
                var args = new List<object?>(t.Args.Count);
                foreach (var a in t.Args) args.Add(Eval(a, scope));
                bool r = JinjaTests.Apply(this, t.Name, Eval(t.Input, scope), args);
                return t.Negated ? !r : r;
            }
            case BinaryExpr b:
                return EvalBinary(b, scope);
            case UnaryExpr u:
            {
                object? x = Eval(u.Operand, scope);
                if (u.Op == "not") return !JinjaValue.IsTruthy(x);
                x = Defined(x);
                return u.Op == "-" ? JinjaOperators.Negate(x) : JinjaOperators.Plus(x);
            }
            case CondExpr ce:
                if (JinjaValue.IsTruthy(Eval(ce.Test, scope))) return Eval(ce.Then, scope);
                return ce.Otherwise != null ? Eval(ce.Otherwise, scope) : new JinjaUndefined("the conditional expression has no else branch");
            case ListExpr l:
            {
                var items = l.IsTuple ? new JinjaTuple() : new List<object?>(l.Items.Count);
                foreach (var item in l.Items) items.Add(Eval(item, scope));
                return items;
            }
            case DictExpr d:
            {
                var dict = new JinjaDict();
                foreach (var kv in d.Items) dict.Set(Eval(kv.Key, scope), Eval(kv.Value, scope));
                return dict;
            }
            default:
                throw new JinjaException($"unsupported expression {expr.GetType().Name}");
        }
    }

    /// <summary>Jinja2's default Undefined fails on any use other than printing, testing, iterating or len().</summary>
    internal static object? Defined(object? v) => v is JinjaUndefined u ? throw new JinjaException(u.Hint) : v;

    private long? OptionalIndex(Expr? e, JinjaScope scope)
    {
        if (e == null) return null;
        object? v = Eval(e, scope);
        if (v == null) return null;
        return v is long or bool ? JinjaValue.ToLong(v) : throw new JinjaException($"slice indices must be integers or none, not '{JinjaValue.TypeName(v)}'");
    }

    private object? EvalBinary(BinaryExpr b, JinjaScope scope)
    {
        object? left = Eval(b.Left, scope);
        switch (b.Op)
        {
            case "and": return JinjaValue.IsTruthy(left) ? Eval(b.Right, scope) : left;
            case "or": return JinjaValue.IsTruthy(left) ? left : Eval(b.Right, scope);
        }
        object? right = Eval(b.Right, scope);
        return b.Op switch
        {
            "==" => JinjaValue.PyEquals(left, right),
            "!=" => !JinjaValue.PyEquals(left, right),
            "<" => JinjaValue.Compare(Defined(left), Defined(right)) < 0,
            "<=" => JinjaValue.Compare(Defined(left), Defined(right)) <= 0,
            ">" => JinjaValue.Compare(Defined(left), Defined(right)) > 0,
            ">=" => JinjaValue.Compare(Defined(left), Defined(right)) >= 0,
            "in" => JinjaOperators.Contains(right, left),
            "not in" => !JinjaOperators.Contains(right, left),
            "~" => JinjaValue.ToStr(left) + JinjaValue.ToStr(right),
            _ => JinjaOperators.Arithmetic(b.Op, Defined(left), Defined(right)),
        };
    }

    internal object? EvalCall(CallExpr call, JinjaScope scope, JinjaCallable? caller)
    {
        var positional = new List<object?>(call.Args.Count);
        foreach (var a in call.Args) positional.Add(Eval(a, scope));
        var named = new List<KeyValuePair<string, object?>>(call.Kwargs.Count + 1);
        foreach (var kv in call.Kwargs) named.Add(new(kv.Key, Eval(kv.Value, scope)));
        if (caller != null) named.Add(new("caller", caller));
        var args = new JinjaArgs(positional, named);

        object? callee = Eval(call.Callee, scope);
        if (callee is JinjaCallable fn) return fn.Invoke(args);
        if (callee is JinjaUndefined u)
        {
            string what = call.Callee switch
            {
                NameExpr n => $"'{n.Name}' is undefined: no such function, macro or variable",
                GetAttrExpr ga => $"{u.Hint} (no method '{ga.Name}')",
                _ => u.Hint,
            };
            throw new JinjaException(what);
        }
        throw new JinjaException($"'{JinjaValue.TypeName(callee)}' object is not callable");
    }

    internal object? ApplyFilter(FilterExpr f, object? input, JinjaScope scope)
    {
        var positional = new List<object?>(f.Args.Count);
        foreach (var a in f.Args) positional.Add(Eval(a, scope));
        var named = new List<KeyValuePair<string, object?>>(f.Kwargs.Count);
        foreach (var kv in f.Kwargs) named.Add(new(kv.Key, Eval(kv.Value, scope)));
        try
        {
            return JinjaFilters.Apply(this, f.Name, input, new JinjaArgs(positional, named));
        }
        catch (JinjaException e) when (e.Line == 0)
        {
            throw new JinjaException(e.Reason, f.Line, f.Column, e.RaisedByTemplate);
        }
    }

    /// <summary><c>obj.name</c>: a method or attribute of the value first, then its item (Jinja2's <c>getattr</c>).</summary>
    internal static object? GetAttribute(object? obj, string name)
    {
        switch (obj)
        {
            case JinjaLoop loop:
                return loop.Get(name);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out object? nv) ? nv : JinjaUndefined.Attribute(obj, name);
            case JinjaDict d:
                if (JinjaMethods.TryBind(d, name, out var dm)) return dm;
                return d.TryGet(name, out object? dv) ? dv : JinjaUndefined.Attribute(obj, name);
            default:
                return obj != null && JinjaMethods.TryBind(obj, name, out var m) ? m : JinjaUndefined.Attribute(obj, name);
        }
    }

    /// <summary><c>obj[key]</c>: the item first, then an attribute (Jinja2's <c>getitem</c>).</summary>
    internal static object? GetItem(object? obj, object? key)
    {
        switch (obj)
        {
            case JinjaDict d:
                if (d.TryGet(key, out object? v)) return v;
                break;
            case List<object?> l when key is long or bool:
            {
                long i = JinjaValue.ToLong(key);
                if (i < 0) i += l.Count;
                if (i >= 0 && i < l.Count) return l[(int)i];
                return JinjaUndefined.Item(obj, key);
            }
            case string s when key is long or bool:
            {
                var chars = JinjaValue.StringChars(s);
                long i = JinjaValue.ToLong(key);
                if (i < 0) i += chars.Count;
                if (i >= 0 && i < chars.Count) return chars[(int)i];
                return JinjaUndefined.Item(obj, key);
            }
            case JinjaNamespace or JinjaLoop when key is string:
                return GetAttribute(obj, (string)key);
        }
        if (key is string name && obj is not JinjaDict) return GetAttribute(obj, name);
        return JinjaUndefined.Item(obj, key);
    }

    /// <summary>Python slicing <c>seq[start:stop:step]</c> of a list or string.</summary>
    internal static object? Slice(object? obj, long? start, long? stop, long? step)
    {
        long st = step ?? 1;
        if (st == 0) throw new JinjaException("slice step cannot be zero");
        List<object?> items = obj switch
        {
            List<object?> l => l,
            string s => JinjaValue.StringChars(s),
            _ => throw new JinjaException($"'{JinjaValue.TypeName(obj)}' object is not subscriptable"),
        };
        long n = items.Count;
        long Clamp(long? v, long def, long lo, long hi)
        {
            if (v == null) return def;
            long x = v.Value < 0 ? v.Value + n : v.Value;
            return Math.Clamp(x, lo, hi);
        }
        var result = new List<object?>();
        if (st > 0)
        {
            long a = Clamp(start, 0, 0, n), b = Clamp(stop, n, 0, n);
            for (long i = a; i < b; i += st) result.Add(items[(int)i]);
        }
        else
        {
            long a = Clamp(start, n - 1, -1, n - 1), b = Clamp(stop, -1, -1, n - 1);
            for (long i = a; i > b; i += st) result.Add(items[(int)i]);
        }
        if (obj is string) return string.Concat(result.Select(x => (string)x!));
        return obj is JinjaTuple ? new JinjaTuple(result) : result;
    }
}
