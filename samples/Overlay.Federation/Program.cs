Console.WriteLine("sFlow experiment harness");
