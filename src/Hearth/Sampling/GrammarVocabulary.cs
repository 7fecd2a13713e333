using Hearth.Tokenization;

namespace Hearth.Sampling;

/// <summary>
/// What grammar-constrained sampling needs to know about a model's vocabulary: each token's bytes (arranged in a
/// byte trie, so tokens sharing a prefix are checked against the grammar once for that prefix) and which tokens end
/// generation. Build it once per model; it is immutable and can be shared by concurrent samplers.
/// </summary>
internal sealed class GrammarVocabulary
{
    // The trie in depth-first order: a node's subtree is the index range [node + 1, SubtreeEnd[node]).
    internal readonly byte[] NodeByte;     // [n_nodes] the byte on the edge into the node
    internal readonly int[] NodeParent;    // [n_nodes]
    internal readonly int[] SubtreeEnd;    // [n_nodes]
    internal readonly int[] NodeFirstToken; // [n_nodes] first token whose bytes end here, or -1
    internal readonly int[] NextToken;     // [n_vocab] next token with the same bytes, or -1
    internal readonly bool[] IsEnd;        // [n_vocab] ends generation
    internal readonly int[] EndTokens;
    private readonly byte[][] _bytes;

    /// <param name="tokenBytes">Each token's bytes as they appear in the output (empty for control tokens).</param>
    /// <param name="endOfGenerationTokens">Tokens that end the output (EOS, EOT, ...): allowed only where the grammar may end.</param>
    public GrammarVocabulary(IReadOnlyList<byte[]> tokenBytes, IEnumerable<int> endOfGenerationTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenBytes);
        ArgumentNullException.ThrowIfNull(endOfGenerationTokens);
        int n = tokenBytes.Count;
        if (n == 0) throw new ArgumentException("The vocabulary is empty.", nameof(tokenBytes));
        _bytes = new byte[n][];
        for (int i = 0; i < n; i++)
            _bytes[i] = tokenBytes[i] ?? throw new ArgumentException($"Token {i} has null bytes; use an empty array for tokens with no text.", nameof(tokenBytes));
        IsEnd = new bool[n];
        foreach (int t in endOfGenerationTokens)
        {
            if ((uint)t >= (uint)n) throw new ArgumentException($"End-of-generation token {t} is outside the vocabulary [0, {n}).", nameof(endOfGenerationTokens));
            IsEnd[t] = true;
        }
        EndTokens = [.. Enumerable.Range(0, n).Where(i => IsEnd[i])];

        var order = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++)
            if (_bytes[i].Length > 0 && !IsEnd[i]) order[m++] = i;
        var bytes = _bytes;
        Array.Sort(order, 0, m, Comparer<int>.Create((a, b) => bytes[a].AsSpan().SequenceCompareTo(bytes[b])));

        var nodeByte = new List<byte> { 0 };
        var nodeParent = new List<int> { -1 };
        var subtreeEnd = new List<int> { 0 };
        var firstToken = new List<int> { -1 };
        NextToken = new int[n];
        Array.Fill(NextToken, -1);
        var path = new List<int> { 0 }; // path[d] = node at depth d along the previous token
        byte[] prev = [];
        for (int k = 0; k < m; k++)
        {
            int t = order[k];
            byte[] b = _bytes[t];
            int common = b.AsSpan().CommonPrefixLength(prev);
            while (path.Count - 1 > common)
            {
                subtreeEnd[path[^1]] = nodeByte.Count;
                path.RemoveAt(path.Count - 1);
            }
            for (int j = common; j < b.Length; j++)
            {
                nodeByte.Add(b[j]);
                nodeParent.Add(path[^1]);
                subtreeEnd.Add(0);
                firstToken.Add(-1);
                path.Add(nodeByte.Count - 1);
            }
            int node = path[^1];
            NextToken[t] = firstToken[node];
            firstToken[node] = t;
            prev = b;
        }
        while (path.Count > 0)
        {
            subtreeEnd[path[^1]] = nodeByte.Count;
            path.RemoveAt(path.Count - 1);
        }
        NodeByte = [.. nodeByte];
        NodeParent = [.. nodeParent];
        SubtreeEnd = [.. subtreeEnd];
        NodeFirstToken = [.. firstToken];
    }

    /// <summary>Builds the vocabulary from a tokenizer: <see cref="Tokenizer.TokenBytes"/> and <see cref="Tokenizer.IsEndOfGeneration"/>.</summary>
    public static GrammarVocabulary FromTokenizer(Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var bytes = new byte[tokenizer.VocabSize][];
        var ends = new List<int>();
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = tokenizer.TokenBytes(i).ToArray();
            if (tokenizer.IsEndOfGeneration(i)) ends.Add(i);
        }
        return new GrammarVocabulary(bytes, ends);
    }

    /// <summary>Number of tokens.</summary>
    public int Count => _bytes.Length;

    /// <summary>Number of trie nodes (diagnostics: the work bound of one full mask).</summary>
    public int TrieNodeCount => NodeByte.Length;

    internal ReadOnlySpan<byte> BytesOf(int token) => _bytes[token];
}
