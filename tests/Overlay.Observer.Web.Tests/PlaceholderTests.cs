using NUnit.Framework;

namespace Overlay.Observer.Web.Tests;

public sealed class PlaceholderTests
{
    [Test]
    public void Builds() => Assert.That(typeof(Program).Assembly.GetName().Name, Is.EqualTo("Overlay.Observer.Web"));
}
