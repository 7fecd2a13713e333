namespace Hearth.Sampling;

/// <summary>
/// Runs a <see cref="Grammar"/> as a pushdown automaton over UTF-8 bytes, as llama.cpp's grammar engine does over
/// code points: a parse position is a set of stacks of grammar positions whose tops are character elements;
/// a code point advances every stack whose top accepts it, then rule references are expanded again.
/// <para>
/// Stacks are persistent linked lists interned by (position, parent), so equal stacks are one id and sharing is free;
/// stack sets and partial UTF-8 sequences are interned into <em>states</em>, and state × byte transitions are cached
/// in a table. After warm-up, advancing a byte is one array read, which is what makes masking a whole vocabulary
/// (a walk over its byte trie) fast. Not thread-safe; one per generation.
/// </para>
/// </summary>
internal sealed class GrammarMatcher
{
    /// <summary>The state from which nothing can continue.</summary>
    public const int Dead = 0;
    private const int Unknown = -1;

    private readonly Grammar _g;

    // Stack nodes: node 0 is the empty stack; node i is position _nodePos[i] on top of stack _nodeParent[i].
    private int[] _nodePos = new int[256];
    private int[] _nodeParent = new int[256];
    private int _nodeCount = 1;
    private readonly Dictionary<long, int> _nodeIndex = [];

    // States: a sorted set of stack nodes plus a pending UTF-8 prefix (value so far, bytes still missing, total length).
    private readonly List<int[]> _stateStacks = [];
    private readonly List<(int Value, int Missing, int Length)> _stateUtf8 = [];
    private readonly List<bool> _stateAccepting = [];
    private readonly Dictionary<StateKey, int> _stateIndex = [];
    private int[] _trans = new int[256 * 64]; // [state * 256 + byte] -> state, Unknown until computed

    private readonly List<int> _scratch = [];
    private readonly HashSet<int> _visited = [];

    public GrammarMatcher(Grammar grammar)
    {
        _g = grammar;
        Array.Fill(_trans, Unknown);
        Intern([], 0, 0, 0); // Dead
        _scratch.Clear();
        _visited.Clear();
        foreach (int a in _g.AltStarts[_g.Root])
            Expand(_g.Elements[a].IsEndOfSequence ? 0 : Node(a, 0));
        Initial = InternScratch(0, 0, 0);
    }

    /// <summary>The state before any output.</summary>
    public int Initial { get; }

    /// <summary>Number of states discovered so far (diagnostics).</summary>
    public int StateCount => _stateStacks.Count;

    /// <summary>Number of distinct stack nodes so far (diagnostics).</summary>
    public int NodeCount => _nodeCount;

    /// <summary>Whether the output may end in this state (some stack is empty and no UTF-8 sequence is pending).</summary>
    public bool IsAccepting(int state) => _stateAccepting[state];

    /// <summary>Whether the output must end here: accepting and no character can follow.</summary>
    public bool IsComplete(int state) => _stateAccepting[state] && _stateStacks[state].Length == 1;

    /// <summary>The state after one more byte of output (<see cref="Dead"/> if the grammar cannot continue with it).</summary>
    public int Step(int state, byte b)
    {
        int next = _trans[state * 256 + b];
        return next != Unknown ? next : ComputeStep(state, b);
    }

    public int Step(int state, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (state == Dead) return Dead;
            state = Step(state, b);
        }
        return state;
    }

    /// <summary>The transition table; read directly by the vocabulary walk. Re-read after <see cref="Step(int, byte)"/>: it can grow.</summary>
    internal int[] Transitions => _trans;

    private int ComputeStep(int state, byte b)
    {
        int next = ComputeStepCore(state, b);
        _trans[state * 256 + b] = next; // _trans may have grown while computing; write to the current table
        return next;
    }

    private int ComputeStepCore(int state, byte b)
    {
        if (state == Dead) return Dead;
        var (value, missing, length) = _stateUtf8[state];
        if (missing == 0)
        {
            if (b < 0x80) return AcceptCodePoint(state, b);
            int n = b switch { >= 0xC2 and <= 0xDF => 1, >= 0xE0 and <= 0xEF => 2, >= 0xF0 and <= 0xF4 => 3, _ => -1 };
            if (n < 0) return Dead; // a continuation byte, or a lead byte no valid UTF-8 uses
            int v = b & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07);
            return Partial(state, v, n, n + 1);
        }
        if ((b & 0xC0) != 0x80) return Dead;
        value = (value << 6) | (b & 0x3F);
        missing--;
        if (missing > 0) return Partial(state, value, missing, length);
        bool valid = length switch
        {
            2 => value >= 0x80,
            3 => value >= 0x800 && value is < 0xD800 or > 0xDFFF,
            _ => value is >= 0x10000 and <= CharClass.MaxCodePoint,
        };
        return valid ? AcceptCodePoint(state, value) : Dead;
    }

    /// <summary>A state waiting for <paramref name="missing"/> more bytes; dead unless some stack accepts a code point with this prefix.</summary>
    private int Partial(int state, int value, int missing, int length)
    {
        int lo = value << (6 * missing);
        int hi = lo | ((1 << (6 * missing)) - 1);
        // Only code points this sequence length may encode (no overlong forms, no surrogates) count.
        lo = Math.Max(lo, length switch { 2 => 0x80, 3 => 0x800, _ => 0x10000 });
        hi = Math.Min(hi, length switch { 2 => 0x7FF, 3 => 0xFFFF, _ => CharClass.MaxCodePoint });
        if (lo > hi || (lo >= 0xD800 && hi <= 0xDFFF)) return Dead;
        var stacks = _stateStacks[state];
        bool alive = false;
        foreach (int s in stacks)
        {
            if (s == 0) continue;
            var cls = _g.Classes[_g.Elements[_nodePos[s]].Arg];
            if (cls.Intersects(lo, Math.Min(hi, 0xD7FF)) || cls.Intersects(Math.Max(lo, 0xE000), hi)) { alive = true; break; }
        }
        if (!alive) return Dead;
        return Intern(stacks, value, missing, length);
    }

    private int AcceptCodePoint(int state, int cp)
    {
        _scratch.Clear();
        _visited.Clear();
        foreach (int s in _stateStacks[state])
        {
            if (s == 0) continue;
            int pos = _nodePos[s];
            if (!_g.Classes[_g.Elements[pos].Arg].Contains(cp)) continue;
            int parent = _nodeParent[s];
            Expand(_g.Elements[pos + 1].IsEndOfSequence ? parent : Node(pos + 1, parent));
        }
        return _scratch.Count == 0 ? Dead : InternScratch(0, 0, 0);
    }

    /// <summary>Adds to _scratch every stack reachable from <paramref name="node"/> whose top is a character (or the empty stack).</summary>
    private void Expand(int node)
    {
        if (!_visited.Add(node)) return;
        if (node == 0)
        {
            _scratch.Add(0);
            return;
        }
        int pos = _nodePos[node];
        var e = _g.Elements[pos];
        if (e.Kind == GrammarElementKind.Char)
        {
            _scratch.Add(node);
            return;
        }
        // A rule reference: replace it by each alternative, keeping what follows it as the continuation.
        // When nothing follows (a tail call) the continuation is the parent itself, so right recursion does not grow the stack.
        int parent = _nodeParent[node];
        int cont = _g.Elements[pos + 1].IsEndOfSequence ? parent : Node(pos + 1, parent);
        foreach (int a in _g.AltStarts[e.Arg])
            Expand(_g.Elements[a].IsEndOfSequence ? cont : Node(a, cont));
    }

    private int Node(int pos, int parent)
    {
        long key = ((long)pos << 32) | (uint)parent;
        if (_nodeIndex.TryGetValue(key, out int id)) return id;
        if (_nodeCount == _nodePos.Length)
        {
            Array.Resize(ref _nodePos, _nodeCount * 2);
            Array.Resize(ref _nodeParent, _nodeCount * 2);
        }
        id = _nodeCount++;
        _nodePos[id] = pos;
        _nodeParent[id] = parent;
        _nodeIndex[key] = id;
        return id;
    }

    private int InternScratch(int value, int missing, int length)
    {
        _scratch.Sort();
        return Intern([.. _scratch], value, missing, length);
    }

    private int Intern(int[] stacks, int value, int missing, int length)
    {
        var key = new StateKey(stacks, value, missing, length);
        if (_stateIndex.TryGetValue(key, out int id)) return id;
        id = _stateStacks.Count;
        _stateStacks.Add(stacks);
        _stateUtf8.Add((value, missing, length));
        _stateAccepting.Add(missing == 0 && stacks.Length > 0 && stacks[0] == 0);
        _stateIndex[key] = id;
        if ((id + 1) * 256 > _trans.Length)
        {
            int old = _trans.Length;
            Array.Resize(ref _trans, old * 2);
            Array.Fill(_trans, Unknown, old, _trans.Length - old);
        }
        return id;
    }

    private readonly struct StateKey(int[] stacks, int value, int missing, int length) : IEquatable<StateKey>
    {
        private readonly int[] _stacks = stacks;
        private readonly int _value = value, _missing = missing, _length = length;

        public bool Equals(StateKey other) =>
            _value == other._value && _missing == other._missing && _length == other._length && _stacks.AsSpan().SequenceEqual(other._stacks);

        public override bool Equals(object? obj) => obj is StateKey k && Equals(k);

        public override int GetHashCode()
        {
            var h = new HashCode();
            h.Add(_value);
            h.Add(_missing);
            h.Add(_length);
            foreach (int s in _stacks) h.Add(s);
            return h.ToHashCode();
        }
    }
}
