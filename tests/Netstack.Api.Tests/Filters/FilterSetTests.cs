using Netstack.Api.Filters;
using Xunit;

namespace Netstack.Api.Tests.Filters;

public sealed class FilterSetTests
{
    [Fact]
    public void Parse_CurrentForm_ReadsTrueValuesOnly()
    {
        var filters = FilterSet.Parse("""{"name":{"web":true,"db":false},"driver":{"bridge":true}}""");

        Assert.Equal(["web"], filters.Get("name"));
        Assert.Equal(["bridge"], filters.Get("driver"));
    }

    [Fact]
    public void Parse_OldListForm_Reads()
    {
        var filters = FilterSet.Parse("""{"label":["tier=front","owner"]}""");

        Assert.Equal(["owner", "tier=front"], filters.Get("label").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"name":"web"}""")]
    [InlineData("""{"name":[1]}""")]
    [InlineData("""{"name":{"web":"yes"}}""")]
    public void Parse_Malformed_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => FilterSet.Parse(json));
    }

    [Fact]
    public void Parse_Empty_IsNoFilter()
    {
        Assert.True(FilterSet.Parse(null).IsEmpty);
        Assert.True(FilterSet.Parse("").IsEmpty);
        Assert.True(FilterSet.Parse("{}").IsEmpty);
    }

    [Fact]
    public void ToJson_ThenParse_RoundTrips()
    {
        var filters = new FilterSet().AddFlag("name=web").AddFlag("label=a=b").AddFlag("label=c");

        var back = FilterSet.Parse(filters.ToJson());

        Assert.Equal("label=a=b label=c name=web", back.ToString());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("=web")]
    public void AddFlag_WithoutKeyValue_ThrowsNamingFlag(string flag)
    {
        var error = Assert.Throws<FormatException>(() => new FilterSet().AddFlag(flag));

        Assert.Contains($"'{flag}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchPattern_IsUnanchoredRegex()
    {
        var filters = new FilterSet().Add("name", "^we").Add("name", "db$");

        Assert.True(filters.MatchPattern("name", "web"));
        Assert.True(filters.MatchPattern("name", "mydb"));
        Assert.False(filters.MatchPattern("name", "dbx"));
        Assert.True(filters.MatchPattern("id", "anything"));
    }

    [Fact]
    public void MatchPattern_BadPattern_ThrowsNamingIt()
    {
        var filters = new FilterSet().Add("name", "(unclosed");

        var error = Assert.Throws<ArgumentException>(() => filters.MatchPattern("name", "x"));
        Assert.Contains("(unclosed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchLabels_KeyAndKeyValue_AllMustHold()
    {
        var filters = new FilterSet().Add("label", "tier=front").Add("label", "owner");
        var labels = new Dictionary<string, string> { ["tier"] = "front", ["owner"] = "" };

        Assert.True(filters.MatchLabels("label", labels));
        Assert.False(filters.MatchLabels("label", new Dictionary<string, string> { ["tier"] = "front" }));
        Assert.False(filters.MatchLabels("label", new Dictionary<string, string> { ["tier"] = "back", ["owner"] = "x" }));
    }

    [Fact]
    public void Validate_UnknownKey_ThrowsNamingIt()
    {
        var filters = new FilterSet().Add("colour", "red");

        var error = Assert.Throws<ArgumentException>(() => filters.Validate(["name", "id"]));
        Assert.Contains("'colour'", error.Message, StringComparison.Ordinal);
    }
}
