using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

public sealed class ContainerNamesTests
{
    [Fact]
    public void NewId_Is64LowerHexAndRandom()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => ContainerNames.NewId()).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{64}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(ContainerNames.IsId(id)));
    }

    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web", "web")]
    [InlineData("web_1.prod-a", "web_1.prod-a")]
    [InlineData("0db", "0db")]
    public void NormalizeName_Valid_ReturnsWithoutSlash(string name, string expected) =>
        Assert.Equal(expected, ContainerNames.NormalizeName(name));

    [Theory]
    [InlineData("a")]
    [InlineData("_web")]
    [InlineData("-web")]
    [InlineData("web server")]
    [InlineData("web/1")]
    [InlineData("wéb")]
    [InlineData("")]
    public void NormalizeName_Invalid_ThrowsNamingTheValue(string name)
    {
        var error = Assert.Throws<RuntimeException>(() => ContainerNames.NormalizeName(name));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"\"{name}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalizeName_LooksLikeAnId_IsRejected()
    {
        var error = Assert.Throws<RuntimeException>(() => ContainerNames.NormalizeName(ContainerNames.NewId()));
        Assert.Contains("container id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_AvoidsTakenNames()
    {
        var taken = new HashSet<string>();
        for (var i = 0; i < 500; i++)
        {
            var name = ContainerNames.Generate(taken.Contains);
            Assert.DoesNotContain(name, taken);
            Assert.Equal(name, ContainerNames.NormalizeName(name));
            taken.Add(name);
        }
    }
}
