using System.Text;
using Hearth.Tests.Oracle;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Hearth.Tests.Tokenization;

/// <summary>llama.cpp's tokenizer (LLamaSharp 0.30.0) over a vocabulary-only load of a GGUF file: the live reference.</summary>
internal sealed class LlamaCppVocab : IDisposable
{
    private readonly LLamaWeights _weights;

    private LlamaCppVocab(LLamaWeights weights) => _weights = weights;

    public static LlamaCppVocab Load(string path)
    {
        LlamaCppNative.EnsureConfigured();
        var parameters = new ModelParams(path) { VocabOnly = true, GpuLayerCount = 0, LoadMode = LLamaLoadMode.None };
        lock (LlamaCppNative.Gate)
        {
            try
            {
                return new LlamaCppVocab(LLamaWeights.LoadFromFile(parameters));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"llama.cpp could not load the vocabulary {path}: {e.Message}; llama.cpp said: " +
                    string.Join(Environment.NewLine, LlamaCppNative.Warnings.TakeLast(5)), e);
            }
        }
    }

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        LLamaToken[] tokens;
        lock (LlamaCppNative.Gate) tokens = _weights.Tokenize(text, addSpecial, parseSpecial, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = (int)tokens[i];
        return ids;
    }

    public void Dispose()
    {
        lock (LlamaCppNative.Gate) _weights.Dispose();
    }
}
