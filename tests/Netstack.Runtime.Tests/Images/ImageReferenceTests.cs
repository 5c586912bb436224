using Netstack.Runtime.Images;
using Xunit;

namespace Netstack.Runtime.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("busybox:1.36", "busybox", "1.36")]
    [InlineData("demo/web:v1_2-rc.3", "demo/web", "v1_2-rc.3")]
    [InlineData("registry.local:5000/team/app", "registry.local:5000/team/app", "latest")]
    [InlineData("registry.local:5000/team/app:prod", "registry.local:5000/team/app", "prod")]
    [InlineData("a__b", "a__b", "latest")]
    public void Parse_ValidReference_SplitsNameAndTag(string reference, string name, string tag)
    {
        var parsed = ImageReference.Parse(reference);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(tag, parsed.Tag);
        Assert.Equal($"{name}:{tag}", parsed.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("BusyBox", "\"BusyBox\"")]
    [InlineData("busy box", "\"busy box\"")]
    [InlineData("busybox:", "invalid tag")]
    [InlineData("busybox:-x", "\"-x\"")]
    [InlineData("-busybox", "\"-busybox\"")]
    [InlineData("busybox@sha256:abc", "digests")]
    [InlineData("a//b", "\"a//b\"")]
    public void Parse_InvalidReference_ThrowsInvalidArgumentNamingTheValue(string reference, string expected)
    {
        var error = Assert.Throws<RuntimeException>(() => ImageReference.Parse(reference));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TagLongerThan128_IsRejected()
    {
        Assert.True(ImageReference.TryParse("x:" + new string('t', 128), out _, out _));
        Assert.False(ImageReference.TryParse("x:" + new string('t', 129), out _, out var error));
        Assert.Contains("invalid tag", error, StringComparison.Ordinal);
    }
}
