"""JVM bytecode: a standalone class-file reader (``classfile``) and JAR / AAR walking (``jar``)."""

from .classfile import ClassFile, ClassFormatError, parse_class
from .jar import JarError, iter_class_files

__all__ = ["ClassFile", "ClassFormatError", "JarError", "iter_class_files", "parse_class"]
