using Hearth.Gguf;
using Hearth.Numerics;
using Hearth.Tests.Oracle;

namespace Hearth.Tests.Cli;

public class QuantizeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hearth-quantize").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Quantized_model_loads_in_llama_cpp_and_both_engines_agree()
    {
        string output = Path.Combine(_dir, "q8.gguf");
        var r = CliRunner.Run("quantize", TestData.PathOf("gguf/stories260K.gguf"), output, "Q8_0");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using (var f = GgufFile.Open(output))
        {
            Assert.Equal(GgmlType.Q8_0, f.FindTensor("blk.0.attn_q.weight")!.Type);
            // 172 columns cannot hold 32-element blocks: the fallback is F16, as llama-quantize falls back.
            Assert.Equal(GgmlType.F16, f.FindTensor("blk.0.ffn_down.weight")!.Type);
            Assert.Equal(GgmlType.F32, f.FindTensor("blk.0.attn_norm.weight")!.Type);
            Assert.Equal(7L, f.GetInt64("general.file_type"));
        }

        int[] prompt = [1, 403, 407, 261, 378];
        using var oracle = LlamaCppOracle.Load(output, contextSize: 64);
        int[] expected = oracle.Greedy(prompt, 32);
        using var model = Model.Load(output, new ModelOptions { Threads = 1 });
        using var session = model.CreateSession(64);
        var logits = session.Evaluate(prompt).ToArray();
        var tokens = new int[32];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = LlamaCppOracle.ArgMax(logits);
            logits = session.Evaluate([tokens[i]]).ToArray();
        }
        Assert.Equal(expected, tokens);
    }

    [Fact]
    public void Unknown_target_type_lists_the_supported_ones()
    {
        var r = CliRunner.Run("quantize", TestData.PathOf("gguf/stories260K.gguf"), Path.Combine(_dir, "x.gguf"), "Q4_X");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("'Q4_X'", r.StdErr);
        Assert.Contains("Q4_K", r.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.gguf")));
    }

    [Theory]
    [InlineData("IQ2_XXS", false)]
    [InlineData("IQ3_S", true)]
    public void Importance_matrix_types_say_what_they_need(string type, bool withImatrix)
    {
        string output = Path.Combine(_dir, "x.gguf");
        string[] args = withImatrix
            ? ["quantize", TestData.PathOf("gguf/stories260K.gguf"), output, type, "--imatrix", Path.Combine(_dir, "imatrix.dat")]
            : ["quantize", TestData.PathOf("gguf/stories260K.gguf"), output, type];
        var r = CliRunner.Run(args);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(type, r.StdErr);
        Assert.Contains(withImatrix ? "not implemented" : "needs an importance matrix", r.StdErr);
        Assert.Contains("llama-quantize --imatrix", r.StdErr);
        Assert.False(File.Exists(output));
    }
}
