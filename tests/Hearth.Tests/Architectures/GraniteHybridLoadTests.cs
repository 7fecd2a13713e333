using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>
/// granitehybrid files whose Mamba-2 hyper-parameters cannot describe their tensors (or the engine) are refused at load
/// with a <see cref="ModelConfigurationException"/> naming the key or tensor; unsupported extras with a
/// <see cref="NotSupportedException"/>.
/// </summary>
public class GraniteHybridLoadTests
{
    public static TheoryData<string, int, string> BadIntegers() => new()
    {
        // d_inner 128 is not a multiple of 7 heads.
        { "ssm.time_step_rank", 7, "granitehybrid.ssm.time_step_rank" },
        // 8 heads are not a multiple of 3 groups.
        { "ssm.group_count", 3, "granitehybrid.ssm.group_count" },
        // An empty inner size.
        { "ssm.inner_size", 0, "granitehybrid.ssm.inner_size" },
        // A state of 8 while the tensors were written for 16: ssm_in has the wrong number of rows.
        { "ssm.state_size", 8, "blk.0.ssm_in.weight" },
        // The convolution has 4 taps in the file.
        { "ssm.conv_kernel", 3, "blk.0.ssm_conv1d.weight" },
    };

    [Theory]
    [MemberData(nameof(BadIntegers))]
    public void A_bad_mamba2_hyper_parameter_is_refused_naming_it(string key, int value, string named)
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Load(w => w.U32(key, value)));
        Assert.Contains(named, e.Message + " " + e.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_finite_logit_scale_is_refused_naming_the_key()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Load(w => w.F32("logit_scale", float.NaN)));
        Assert.Equal("granitehybrid.logit_scale", e.Key);
    }

    [Fact]
    public void Head_count_kv_must_say_which_layers_are_mamba2()
    {
        // One value for every layer: no recurrent layers, so the attention tensors of block 0 are missing.
        var e = Assert.Throws<ModelConfigurationException>(() => Load(w => w.U32("attention.head_count_kv", 2)));
        Assert.Contains("blk.0.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Feed_forward_biases_are_refused_rather_than_ignored()
    {
        var e = Assert.Throws<NotSupportedException>(() => Load(w => w.Vector("blk.1.ffn_up.bias", 128)));
        Assert.Contains("ffn_up.bias", e.Message, StringComparison.Ordinal);
    }

    private static void Load(Action<ArchitectureModelWriter> tweak)
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-granite-bad-{Guid.NewGuid():N}.gguf");
        try
        {
            HybridCases.GraniteHybrid(GgmlType.F32, path, moe: false, tweak);
            using var model = Model.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
