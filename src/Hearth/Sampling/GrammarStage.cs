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
    private readonly bool[] _allowed;    // [n_vocab] scratch mask
    private readonly int[] _nodeState;   // [n_trie_nodes] scratch: the state after each node's prefix
    private int _state;

    public GrammarStage(Grammar grammar, GrammarVocabulary vocabulary)
    {
        _matcher = new GrammarMatcher(grammar);
        _vocab = vocabulary;
        _allowed = new bool[vocabulary.Count];
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

    /// <summary>Fills <paramref name="allowed"/> (cleared first) with the tokens that can continue the output.</summary>
    public void ComputeMask(Span<bool> allowed)
    {
        allowed.Clear();
        var v = _vocab;
        var nodeByte = v.NodeByte;
        var nodeParent = v.NodeParent;
        var subtreeEnd = v.SubtreeEnd;
        var firstToken = v.NodeFirstToken;
        var nextToken = v.NextToken;
        var nodeState = _nodeState;
        int n = nodeByte.Length;
        nodeState[0] = _state;
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
            for (int t = firstToken[i]; t >= 0; t = nextToken[t]) allowed[t] = true;
            i++;
        }
        if (_matcher.IsAccepting(_state))
        {
            foreach (int t in v.EndTokens) allowed[t] = true;
        }
    }

    public void Apply(CandidateBuffer c)
    {
        ComputeMask(_allowed);
        int w = 0;
        for (int i = 0; i < c.Count; i++)
        {
            if (!_allowed[c.Ids[i]]) continue;
            c.Ids[w] = c.Ids[i];
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
