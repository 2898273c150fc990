/** A program that stores an array and a few values in an mmappickle file, and reads them back. */
module org.example.hello {
    requires org.mmappickle;
}
