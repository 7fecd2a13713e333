namespace Hearth.Sampling;

/// <summary>
/// Keeps the output inside a grammar: removes every candidate token whose bytes cannot continue the output so far,
/// and follows the accepted tokens. The mask walks the vocabulary's byte trie once, pruning a whole subtree as soon
/// as its prefix is rejected.
/// </summary>
internal sealed class GrammarStage : ISamplerStage
{
    private readonly GrammarMatcher _matcher;
    private readonly GrammarVocabulary _vocab;
    private const int MaxCachedMasks = 64;
    private readonly Dictionary<int, ulong[]> _maskCache = [];  // state -> [ceil(n_vocab / 64)] allowed bits
    private readonly int[] _nodeState;   // [n_trie_nodes] scratch: the state after each node's prefix
    private int _state;

    public GrammarStage(Grammar grammar, GrammarVocabulary vocabulary)
    {
        _matcher = new GrammarMatcher(grammar);
        _vocab = vocabulary;
        _nodeState = new int[vocabulary.TrieNodeCount];
        _state = _matcher.Initial;
    }

    internal GrammarMatcher Matcher => _matcher;

    /// <summary>The output so far is a complete sentence of the grammar (an end-of-generation token is allowed).</summary>
    public bool IsAccepting => _matcher.IsAccepting(_state);

    /// <summary>The output is complete and nothing else may follow.</summary>
    public bool IsComplete => _matcher.IsComplete(_state);

    public bool IsAllowed(int token)
    {
        if (_vocab.IsEnd[token]) return _matcher.IsAccepting(_state);
        var bytes = _vocab.BytesOf(token);
        return bytes.Length > 0 && _matcher.Step(_state, bytes) != GrammarMatcher.Dead;
    }

    /// <summary>Fills <paramref name="allowed"/> with whether each token can continue the output.</summary>
    public void ComputeMask(Span<bool> allowed)
    {
        var bits = MaskFor(_state);
        for (int t = 0; t < allowed.Length; t++) allowed[t] = (bits[t >> 6] & (1UL << t)) != 0;
    }

    /// <summary>
    /// The allowed-token bitset of a state. Masks are cached per state: generation keeps returning to the same few
    /// states (inside a string, between array items), and there a full walk of a 150k vocabulary costs milliseconds.
    /// </summary>
    private ulong[] MaskFor(int state)
    {
        if (_maskCache.TryGetValue(state, out var cached)) return cached;
        if (_maskCache.Count >= MaxCachedMasks) _maskCache.Clear(); // simple bound on memory: n_vocab / 8 bytes per mask
        var bits = new ulong[(_vocab.Count + 63) / 64];
        Walk(state, bits);
        _maskCache[state] = bits;
        return bits;
    }

    /// <summary>Sets the bit of every token whose bytes can follow <paramref name="state"/>: one pass over the trie, skipping dead subtrees.</summary>
    private void Walk(int state, ulong[] bits)
    {
        var v = _vocab;
        var nodeByte = v.NodeByte;
        var nodeParent = v.NodeParent;
        var subtreeEnd = v.SubtreeEnd;
        var firstToken = v.NodeFirstToken;
        var nextToken = v.NextToken;
        var nodeState = _nodeState;
        int n = nodeByte.Length;
        nodeState[0] = state;
        int[] trans = _matcher.Transitions;
        for (int i = 1; i < n;)
        {
            int from = nodeState[nodeParent[i]];
            int s = trans[from * 256 + nodeByte[i]];
            if (s < 0)
            {
                s = _matcher.Step(from, nodeByte[i]);
                trans = _matcher.Transitions;
            }
            if (s == GrammarMatcher.Dead)
            {
                i = subtreeEnd[i];
                continue;
            }
            nodeState[i] = s;
            for (int t = firstToken[i]; t >= 0; t = nextToken[t]) bits[t >> 6] |= 1UL << t;
            i++;
        }
        if (_matcher.IsAccepting(state))
        {
            foreach (int t in v.EndTokens) bits[t >> 6] |= 1UL << t;
        }
    }

    public void Apply(CandidateBuffer c)
    {
        var bits = MaskFor(_state);
        int w = 0;
        for (int i = 0; i < c.Count; i++)
        {
            int id = c.Ids[i];
            if ((bits[id >> 6] & (1UL << id)) == 0) continue;
            c.Ids[w] = id;
            c.Logits[w] = c.Logits[i];
            w++;
        }
        if (w == 0)
            throw new InvalidOperationException("The grammar allows no token of the vocabulary at this point (no token's bytes can continue the output); check that the vocabulary can spell what the grammar requires.");
        bool sorted = c.Sorted, identity = c.Identity && w == c.Count;
        c.Count = w;
        c.Sorted = sorted;
        c.Identity = identity;
        c.ProbsValid = false;
    }

    public void Accept(int token)
    {
        if (!IsAllowed(token))
            throw new InvalidOperationException($"Token {token} does not continue the output as the grammar requires.");
        if (!_vocab.IsEnd[token]) _state = _matcher.Step(_state, _vocab.BytesOf(token));
    }

    public void Reset() => _state = _matcher.Initial;
}
